//! Writes `captures/pcap/synthetic_mixed.pcapng`, the capture the README's
//! first command decodes. Run with `cargo run --example make_golden_capture`;
//! then refresh the expected output with
//! `UPDATE_GOLDEN=1 cargo test --test golden`.

#[path = "common/golden_scenario.rs"]
mod golden_scenario;

fn main() -> std::io::Result<()> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("captures/pcap/synthetic_mixed.pcapng");
    let bytes = golden_scenario::pcapng();
    std::fs::write(&path, &bytes)?;
    println!("wrote {} ({} bytes, {} frames)", path.display(), bytes.len(), golden_scenario::events().len());
    Ok(())
}
