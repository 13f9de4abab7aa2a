//! Frame decoder + PDU parser: whatever the bytes, no panic, and every PDU that decodes re-encodes
//! to exactly the bytes it came from.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The largest command_length the framer accepts (the codec's default maximum).
    let framer = smppd_codec::Framer::new(64 * 1024);
    let mut buf = bytes::BytesMut::from(data);
    loop {
        match framer.decode(&mut buf) {
            Ok(Some(frame)) => {
                if let Ok(pdu) = smppd_codec::Pdu::decode(frame.clone()) {
                    let mut out = bytes::BytesMut::new();
                    pdu.encode(&mut out).expect("a decoded PDU re-encodes");
                    assert_eq!(&out[..], &frame[..], "decode→encode is byte-exact");
                }
            }
            Ok(None) | Err(_) => break,
        }
    }
});
