#![no_main]
//! Open Drone ID messages and packs: decoding never panics, and whatever
//! decodes re-encodes into bytes that decode again.
use libfuzzer_sys::fuzz_target;
use ridscope::protocol::odid::Message;

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = Message::parse(data)
        && let Ok(bytes) = m.emit()
    {
        let again = Message::parse(&bytes).expect("a re-encoded message decodes");
        assert_eq!(again.emit().expect("and encodes"), bytes, "encode(decode(encode(x))) is stable");
    }
});
