//! Compiles Pulumi's provider protocol (vendored from pulumi/pulumi, `proto/`) with protoc: the
//! server for the plugin, the client for its tests.

fn main() {
    println!("cargo:rerun-if-changed=proto");
    // protoc resolves google/protobuf/*.proto from its own include directory (Debian:
    // libprotobuf-dev, /usr/include), or from PROTOC_INCLUDE.
    let mut includes = vec!["proto".to_string()];
    if let Ok(dir) = std::env::var("PROTOC_INCLUDE") {
        includes.push(dir);
    } else if std::path::Path::new("/usr/include/google/protobuf/struct.proto").exists() {
        includes.push("/usr/include".into());
    }
    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        .compile_protos(&["proto/pulumi/provider.proto"], &includes.iter().map(String::as_str).collect::<Vec<_>>())
        .unwrap_or_else(|e| panic!("compiling Pulumi's protocol failed (is protoc installed?): {e}"));
}
