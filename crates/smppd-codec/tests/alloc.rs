//! Framing and decoding make no heap allocation (issue 2, item 3): every field of a decoded PDU
//! is a reference-counted slice of the frame, and the frame a slice of the read buffer; on the
//! borrowed path, every field is a `&[u8]` of the read buffer itself.
//!
//! What is counted: every `alloc`, `alloc_zeroed` and `realloc` on the current thread between
//! the start and the end of the measured closure, so the test harness's other threads do not
//! disturb the count. The read buffer is filled beforehand, as the connection's reader would
//! have done. The first `split_to` of a fresh `BytesMut` promotes it to shared storage, which
//! allocates once per read buffer (not per PDU); the tests measure the PDUs after the first one
//! split from the same buffer, and allow the first one that single allocation.

// A #[global_allocator] must implement the unsafe `GlobalAlloc` trait; this one only counts and
// forwards every call to `System` unchanged.
#![allow(unsafe_code)]

use bytes::{Buf, Bytes, BytesMut};
use smppd_codec::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

#[global_allocator]
static ALLOCATOR: Counting = Counting;

thread_local! {
    // `const` thread-locals without destructors need no allocation of their own.
    static MEASURING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn note_allocation() {
    // `try_with`: a thread being torn down may still allocate; it is never measuring.
    let _ = MEASURING.try_with(|measuring| {
        if measuring.get() {
            ALLOCATIONS.with(|n| n.set(n.get() + 1));
        }
    });
}

// SAFETY: every method forwards its arguments unchanged to `System`, which upholds the
// `GlobalAlloc` contract; counting touches only const thread-locals and never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        // SAFETY: forwarded as received.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        // SAFETY: forwarded as received.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_allocation();
        // SAFETY: forwarded as received.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded as received.
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// Runs `f` and returns its result with the number of heap allocations it made on this thread.
fn allocations<T>(f: impl FnOnce() -> T) -> (T, usize) {
    ALLOCATIONS.with(|n| n.set(0));
    MEASURING.with(|m| m.set(true));
    let out = std::hint::black_box(f());
    MEASURING.with(|m| m.set(false));
    (out, ALLOCATIONS.with(Cell::get))
}

/// Frames and decodes the next PDU of `buf`.
fn next_pdu(framer: &Framer, buf: &mut BytesMut) -> Pdu {
    let frame = framer.decode(buf).expect("frames").expect("a whole PDU");
    Pdu::decode(frame).expect("decodes")
}

/// The benchmark's submit_sm (benches/benches/codec.rs): a 140-octet message and two TLVs,
/// 211 octets in all.
fn submit_sm() -> Pdu {
    static MESSAGE: [u8; 140] = [0x5a; 140];
    let mut tlvs = Tlvs::builder();
    tlvs.u16(Tag::USER_MESSAGE_REFERENCE, 0x0102)
        .u16(Tag::SOURCE_PORT, 9200);
    Pdu::new(
        0x0000_1234,
        Body::SubmitSm(SubmitSm {
            source_addr_ton: Ton::INTERNATIONAL,
            source_addr_npi: Npi::ISDN,
            source_addr: "4917612345678".into(),
            dest_addr_ton: Ton::INTERNATIONAL,
            dest_addr_npi: Npi::ISDN,
            destination_addr: "4915112345678".into(),
            registered_delivery: RegisteredDelivery::ALWAYS,
            short_message: OctetString::from_static(&MESSAGE),
            tlvs: tlvs.build(),
            ..SubmitSm::default()
        }),
    )
}

/// A delivery receipt (esm_class 0x04) with receipted_message_id and message_state.
fn deliver_sm_receipt() -> Pdu {
    let mut tlvs = Tlvs::builder();
    tlvs.cstr(Tag::RECEIPTED_MESSAGE_ID, b"0a1b2c3d").unwrap();
    tlvs.u8(Tag::MESSAGE_STATE, MessageState::DELIVERED.0);
    Pdu::new(
        0x0000_5678,
        Body::DeliverSm(DeliverSm {
            source_addr_ton: Ton::INTERNATIONAL,
            source_addr_npi: Npi::ISDN,
            source_addr: "447700900123".into(),
            dest_addr_ton: Ton::ALPHANUMERIC,
            destination_addr: "ACME".into(),
            esm_class: EsmClass(EsmClass::DELIVERY_RECEIPT),
            short_message: OctetString::from_static(
                b"id:0a1b2c3d sub:001 dlvrd:001 submit date:2511211200 \
                  done date:2511211201 stat:DELIVRD err:000 text:Hello",
            ),
            tlvs: tlvs.build(),
            ..DeliverSm::default()
        }),
    )
}

/// A read buffer holding `copies` encodings of `pdu`, as a reader would have filled it.
fn read_buffer(pdu: &Pdu, copies: usize) -> BytesMut {
    let len = pdu.encoded_len().unwrap();
    let mut buf = BytesMut::with_capacity(len * copies);
    for _ in 0..copies {
        pdu.encode(&mut buf).unwrap();
    }
    buf
}

/// The first PDU of a fresh buffer may cost the one promotion to shared storage; every PDU
/// after it costs nothing.
fn assert_decodes_without_allocating(pdu: &Pdu) {
    let framer = Framer::default();
    let mut buf = read_buffer(pdu, 3);

    let (first, n) = allocations(|| next_pdu(&framer, &mut buf));
    assert_eq!(first, *pdu);
    assert!(n <= 1, "first PDU of a fresh buffer: {n} allocations");

    for _ in 0..2 {
        let (decoded, n) = allocations(|| next_pdu(&framer, &mut buf));
        assert_eq!(decoded, *pdu);
        assert_eq!(
            n,
            0,
            "allocations while framing and decoding {}",
            pdu.command_id()
        );
    }
    assert!(buf.is_empty());
}

#[test]
fn the_counter_sees_allocations() {
    // Without this, a counter that never counts would pass every test below.
    let (_, n) = allocations(|| Vec::<u8>::with_capacity(1));
    assert_eq!(n, 1);
    let (_, n) = allocations(|| Bytes::copy_from_slice(b"copied"));
    assert_eq!(n, 1);
    // A decoder that builds a Vec is caught: submit_multi keeps its destinations in one.
    let multi = Pdu::new(
        1,
        Body::SubmitMulti(SubmitMulti {
            dest_addresses: vec![Dest::DistributionList {
                dl_name: "staff".into(),
            }],
            ..SubmitMulti::default()
        }),
    );
    let framer = Framer::default();
    let mut buf = read_buffer(&multi, 2);
    next_pdu(&framer, &mut buf);
    let (_, n) = allocations(|| next_pdu(&framer, &mut buf));
    assert_eq!(n, 1, "the destinations' Vec");
}

#[test]
fn framing_and_decoding_a_submit_sm_allocates_nothing() {
    let pdu = submit_sm();
    assert_eq!(
        pdu.encoded_len(),
        Ok(211),
        "the benchmark's 211-octet submit_sm"
    );
    assert_decodes_without_allocating(&pdu);
}

#[test]
fn framing_and_decoding_a_delivery_receipt_allocates_nothing() {
    assert_decodes_without_allocating(&deliver_sm_receipt());
}

#[test]
fn framing_and_decoding_responses_and_enquire_link_allocates_nothing() {
    assert_decodes_without_allocating(&Pdu::new(7, Body::SubmitSmResp(SubmitSmResp::new("5f3e"))));
    assert_decodes_without_allocating(&Pdu::new(8, Body::EnquireLink));
}

#[test]
fn decoded_fields_are_slices_of_the_read_buffer() {
    let pdu = submit_sm();
    let framer = Framer::default();
    let mut buf = read_buffer(&pdu, 1);
    let region = buf.as_ptr_range();
    let decoded = next_pdu(&framer, &mut buf);
    let Body::SubmitSm(body) = &decoded.body else {
        panic!("{:?}", decoded.body);
    };
    // (An empty field is `Bytes::new()`, which points nowhere; these four are not empty.)
    let fields: [&[u8]; 4] = [
        &body.source_addr,
        &body.destination_addr,
        &body.short_message,
        body.tlvs.as_bytes(),
    ];
    for field in fields {
        assert!(!field.is_empty());
        assert!(
            region.contains(&field.as_ptr()),
            "{field:?} is not in the read buffer"
        );
    }
}

/// The borrowed path: measure the PDU at the front of the buffer, decode it in place, let it go,
/// advance. Nothing is allocated, not even for the first PDU of a fresh buffer (nothing is
/// split off it).
fn assert_decodes_borrowed_without_allocating(pdu: &Pdu) {
    let framer = Framer::default();
    let mut buf = read_buffer(pdu, 3);
    for _ in 0..3 {
        let ((len, decoded), n) = allocations(|| {
            let len = framer.peek(&buf).expect("frames").expect("a whole PDU");
            (len, Pdu::decode_borrowed(&buf[..len]).expect("decodes"))
        });
        assert_eq!(
            n,
            0,
            "allocations while measuring and decoding {} borrowed",
            pdu.command_id()
        );
        assert_eq!(decoded.into_owned(), *pdu);
        buf.advance(len);
    }
    assert!(buf.is_empty());
}

#[test]
fn decoding_a_submit_sm_borrowed_allocates_nothing() {
    assert_decodes_borrowed_without_allocating(&submit_sm());
}

#[test]
fn decoding_receipts_responses_and_enquire_link_borrowed_allocates_nothing() {
    assert_decodes_borrowed_without_allocating(&deliver_sm_receipt());
    assert_decodes_borrowed_without_allocating(&Pdu::new(
        7,
        Body::SubmitSmResp(SubmitSmResp::new("5f3e")),
    ));
    assert_decodes_borrowed_without_allocating(&Pdu::new(8, Body::EnquireLink));
}

#[test]
fn borrowed_fields_are_slices_of_the_read_buffer() {
    let pdu = submit_sm();
    let buf = read_buffer(&pdu, 1);
    let region = buf.as_ptr_range();
    let decoded = Pdu::decode_borrowed(&buf).unwrap();
    let Body::SubmitSm(body) = &decoded.body else {
        panic!("{:?}", decoded.body);
    };
    let fields: [&[u8]; 4] = [
        body.source_addr.0,
        body.destination_addr.0,
        body.short_message.0,
        body.tlvs.as_slice(),
    ];
    for field in fields {
        assert!(!field.is_empty());
        assert!(
            region.contains(&field.as_ptr()),
            "{field:?} is not in the read buffer"
        );
    }
}

#[test]
fn encoding_into_a_buffer_with_room_allocates_nothing() {
    for pdu in [submit_sm(), deliver_sm_receipt()] {
        let mut dst = BytesMut::with_capacity(1024);
        let (result, n) = allocations(|| pdu.encode(&mut dst));
        assert_eq!(result, Ok(()));
        assert_eq!(n, 0, "allocations while encoding {}", pdu.command_id());
        assert_eq!(Pdu::decode(dst.freeze()), Ok(pdu));
    }
}
