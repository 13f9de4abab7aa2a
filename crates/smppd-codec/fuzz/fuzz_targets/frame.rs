//! Frame decoder + PDU parser: whatever the bytes, no panic, every PDU that decodes re-encodes
//! to exactly the bytes it came from, and the borrowed path (peek, decode in place) agrees with
//! the owned one (split, decode) on every frame, value for value and error for error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smppd_codec::{Framer, Pdu};

fuzz_target!(|data: &[u8]| {
    // The largest command_length the framer accepts (the codec's default maximum).
    let framer = Framer::new(64 * 1024);
    let mut buf = bytes::BytesMut::from(data);
    loop {
        let peeked = framer.peek(&buf);
        match framer.decode(&mut buf) {
            Ok(Some(frame)) => {
                assert_eq!(peeked, Ok(Some(frame.len())), "peek measures what decode splits");
                let owned = Pdu::decode(frame.clone());
                let borrowed = Pdu::decode_borrowed(&frame);
                assert_eq!(
                    borrowed.clone().map(Pdu::into_owned),
                    owned,
                    "borrowed and owned decoding agree"
                );
                if let (Ok(pdu), Ok(borrowed)) = (owned, borrowed) {
                    let mut out = bytes::BytesMut::new();
                    pdu.encode(&mut out).expect("a decoded PDU re-encodes");
                    assert_eq!(&out[..], &frame[..], "decode→encode is byte-exact");
                    let mut again = bytes::BytesMut::new();
                    borrowed.encode(&mut again).expect("a borrowed PDU re-encodes");
                    assert_eq!(&again[..], &frame[..], "borrowed decode→encode is byte-exact");
                }
            }
            Ok(None) => {
                assert_eq!(peeked, Ok(None), "peek and decode agree on an incomplete PDU");
                break;
            }
            Err(e) => {
                assert_eq!(peeked, Err(e), "peek and decode fail alike");
                break;
            }
        }
    }
});
