#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| banyan_fuzzing::import_dpg(data));
