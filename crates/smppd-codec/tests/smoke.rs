use bytes::{Bytes, BytesMut};
use smppd_codec::*;

#[test]
fn submit_sm_round_trip() {
    let mut tlvs = Tlvs::builder();
    tlvs.u16(Tag::SAR_MSG_REF_NUM, 7)
        .u8(Tag::SAR_TOTAL_SEGMENTS, 2);
    tlvs.octets(Tag(0x1400), b"1101234567").unwrap();
    let pdu = Pdu::new(
        42,
        Body::SubmitSm(SubmitSm {
            source_addr_ton: Ton::ALPHANUMERIC,
            source_addr: "ACME".into(),
            dest_addr_ton: Ton::INTERNATIONAL,
            dest_addr_npi: Npi::ISDN,
            destination_addr: "447700900123".into(),
            registered_delivery: RegisteredDelivery::ALWAYS,
            short_message: OctetString::from_static(b"Hello"),
            tlvs: tlvs.build(),
            ..Default::default()
        }),
    );
    let bytes = pdu.to_bytes().unwrap();
    let mut buf = BytesMut::from(&bytes[..]);
    let frame = Framer::default().decode(&mut buf).unwrap().unwrap();
    let back = Pdu::decode(frame).unwrap();
    assert_eq!(back, pdu);
    assert_eq!(back.to_bytes().unwrap(), bytes);
    let _: Bytes = bytes;
}
