//! Every input of the checked-in corpus, through its target: what a long fuzzing run once
//! found (and was fixed) stays fixed, and the targets themselves keep working.

use std::path::Path;

#[test]
fn every_corpus_input_passes_its_target() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    for (name, target) in banyan_fuzzing::TARGETS {
        let dir = root.join(name);
        let mut inputs: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        inputs.sort();
        assert!(inputs.len() >= 3, "{name}: a corpus of a few inputs at least");
        for input in &inputs {
            let bytes = std::fs::read(input).unwrap();
            if let Err(panic) = std::panic::catch_unwind(|| target(&bytes)) {
                let why = panic.downcast_ref::<String>().cloned().unwrap_or_default();
                panic!("{name} fails on {}: {why}", input.display());
            }
        }
        eprintln!("{name}: {} inputs", inputs.len());
    }
}
