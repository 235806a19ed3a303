//! Writes the schema document as the component returns it: versioned, and without the whitespace
//! that makes `schema.json` readable (a third of its size, and the component carries it).

fn main() {
    println!("cargo:rerun-if-changed=src/schema.json");
    let text = std::fs::read_to_string("src/schema.json").expect("src/schema.json is readable");
    let versioned = text.replace("@VERSION@", env!("CARGO_PKG_VERSION"));
    let document: serde_json::Value = serde_json::from_str(&versioned).expect("src/schema.json is JSON");
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("schema.json"), document.to_string()).expect("OUT_DIR is writable");
}
