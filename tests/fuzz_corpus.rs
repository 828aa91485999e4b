//! Replays the checked-in fuzz corpus through the fuzz targets' own code, so
//! every input the fuzzers found interesting stays a regression test.

#[path = "../fuzz/targets.rs"]
mod targets;

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).expect("corpus directory exists") {
        let path = entry.expect("readable entry").path();
        let data = std::fs::read(&path).expect("readable corpus file");
        let outcome = std::panic::catch_unwind(|| run(&data));
        assert!(outcome.is_ok(), "{target}: {} failed", path.display());
        count += 1;
    }
    assert!(count >= 10, "{target}: only {count} corpus files");
}

#[test]
fn signature_header_corpus() {
    replay("signature_header", targets::signature_header);
}

#[test]
fn timestamp_corpus() {
    replay("timestamp", targets::timestamp);
}

#[test]
fn verify_corpus() {
    replay("verify", targets::verify);
}

#[test]
fn structured_header_corpus() {
    replay("structured_header", targets::structured_header);
}
