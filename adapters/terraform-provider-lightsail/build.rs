//! Compiles Terraform's plugin protocol and go-plugin's services (vendored, `proto/`) with protoc:
//! the servers for the plugin.

fn main() {
    println!("cargo:rerun-if-changed=proto");
    // protoc resolves google/protobuf/*.proto from its own include directory (Debian:
    // libprotobuf-dev, /usr/include), or from PROTOC_INCLUDE.
    let mut includes = vec!["proto".to_string()];
    if let Ok(dir) = std::env::var("PROTOC_INCLUDE") {
        includes.push(dir);
    } else if std::path::Path::new("/usr/include/google/protobuf/empty.proto").exists() {
        includes.push("/usr/include".into());
    }
    tonic_prost_build::configure()
        .build_server(true)
        .build_client(false)
        .compile_protos(
            &[
                "proto/tfplugin6.proto",
                "proto/plugin/grpc_controller.proto",
                "proto/plugin/grpc_stdio.proto",
                "proto/plugin/grpc_broker.proto",
            ],
            &includes.iter().map(String::as_str).collect::<Vec<_>>(),
        )
        .unwrap_or_else(|e| panic!("compiling Terraform's protocol failed (is protoc installed?): {e}"));
}
