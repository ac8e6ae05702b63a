#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| banyan_fuzzing::oai_request(data));
