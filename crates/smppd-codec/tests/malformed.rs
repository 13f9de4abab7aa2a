//! Bad input (issue 2, item 5): every malformed case is a typed error that names the PDU and the
//! field, still reports the header so that the session can answer on the right sequence number,
//! and maps to the `command_status` of that answer. Incomplete input is not an error.

use bytes::{Bytes, BytesMut};
use smppd_codec::*;

/// A PDU whose `command_length` is right (the framer accepts it) around a hand-written body.
fn pdu(command_id: u32, sequence_number: u32, body: &[&str]) -> Bytes {
    let body = hex::decode(&body.concat()).expect("test vectors are hex");
    let mut out = Vec::with_capacity(Header::LEN + body.len());
    out.extend_from_slice(&((Header::LEN + body.len()) as u32).to_be_bytes());
    out.extend_from_slice(&command_id.to_be_bytes());
    out.extend_from_slice(&0u32.to_be_bytes());
    out.extend_from_slice(&sequence_number.to_be_bytes());
    out.extend_from_slice(&body);
    Bytes::from(out)
}

/// Raw octets, header included.
fn octets(fields: &[&str]) -> Bytes {
    Bytes::from(hex::decode(&fields.concat()).expect("test vectors are hex"))
}

/// Frames `wire` (which must frame) and decodes it (which must fail). The borrowed path must
/// measure the same frame and fail with the same error.
fn decode_error(wire: &Bytes) -> Error {
    assert_eq!(Framer::default().peek(wire), Ok(Some(wire.len())));
    let borrowed = Pdu::decode_borrowed(wire);
    let mut buf = BytesMut::from(&wire[..]);
    let frame = Framer::default()
        .decode(&mut buf)
        .expect("the framing is sound")
        .expect("a whole PDU");
    assert!(buf.is_empty());
    match Pdu::decode(frame) {
        Ok(pdu) => panic!("decoded {pdu:?} from {}", hex::encode(wire)),
        Err(e) => {
            assert_eq!(borrowed, Err(e.clone()), "the borrowed decoder disagrees");
            e
        }
    }
}

/// What the session needs to answer: the request's sequence number, its command_id and the
/// status to answer with.
fn assert_answer(e: &Error, sequence_number: u32, command_id: CommandId, status: CommandStatus) {
    assert_eq!(e.sequence_number(), Some(sequence_number), "{e}");
    assert_eq!(e.command_id(), Some(command_id), "{e}");
    assert_eq!(e.response_status(), status, "{e}");
}

// command_length (§3.2, §5.1.1) ----------------------------------------------------------------

#[test]
fn command_length_below_the_header_is_a_framing_error() {
    for length in ["00000000", "00000001", "0000000f"] {
        let wire = octets(&[
            length,     // command_length (§5.1.1): below the 16 octets of the header itself
            "00000004", // command_id: submit_sm
            "00000000", // command_status
            "00000007", // sequence_number
            "0000000000000000",
        ]);
        let mut buf = BytesMut::from(&wire[..]);
        let e = Framer::default().decode(&mut buf).unwrap_err();
        let Error::LengthTooShort { header } = e else {
            panic!("{e:?}");
        };
        assert_eq!(
            header.command_length,
            u32::from_str_radix(length, 16).unwrap()
        );
        assert!(e.is_framing());
        assert_answer(&e, 7, CommandId::SUBMIT_SM, CommandStatus::ESME_RINVCMDLEN);
        assert_eq!(buf.len(), wire.len(), "nothing consumed");
    }
}

#[test]
fn command_length_above_the_maximum_is_a_framing_error_before_any_reservation() {
    let cases = [
        (Framer::new(1024), "00000401"), // 1025, one above a configured maximum of 1024
        (Framer::default(), "00010001"), // 65537, one above the default 64 KiB
        (Framer::default(), "ffffffff"), // 4 GiB
    ];
    for (framer, length) in cases {
        let wire = octets(&[
            length,     // command_length (§5.1.1)
            "00000103", // command_id: data_sm
            "00000000", // command_status
            "0000002a", // sequence_number: 42
        ]);
        let mut buf = BytesMut::from(&wire[..]);
        let capacity = buf.capacity();
        let e = framer.decode(&mut buf).unwrap_err();
        assert_eq!(
            e,
            Error::LengthTooLong {
                header: Header {
                    command_length: u32::from_str_radix(length, 16).unwrap(),
                    command_id: CommandId::DATA_SM,
                    command_status: CommandStatus::ESME_ROK,
                    sequence_number: 42,
                },
                max: framer.max_length(),
            }
        );
        assert!(e.is_framing());
        assert_answer(&e, 42, CommandId::DATA_SM, CommandStatus::ESME_RINVCMDLEN);
        // A length that was refused reserves nothing.
        assert_eq!(buf.capacity(), capacity);
        assert_eq!(buf.len(), wire.len());
    }
}

#[test]
fn command_length_at_the_maximum_is_accepted() {
    let framer = Framer::new(1024);
    let mut wire = octets(&["00000400", "00000103", "00000000", "00000001"]).to_vec();
    let mut buf = BytesMut::from(&wire[..]);
    assert_eq!(framer.decode(&mut buf), Ok(None));
    // Only the checked length is reserved for the rest of the PDU.
    assert!(buf.capacity() >= 1024);
    wire.resize(1024, 0);
    buf.extend_from_slice(&wire[16..]);
    assert_eq!(framer.decode(&mut buf), Ok(Some(Bytes::from(wire))));
}

#[test]
fn peek_measures_the_next_pdu_with_the_checks_of_decode() {
    let framer = Framer::new(1024);
    let wire = octets(&["00000015", "00000015", "00000000", "00000009", "0102030405"]);
    // Less than a header, then less than the PDU: more bytes are needed, not an error.
    for cut in [0, 1, 15, 16, 20] {
        assert_eq!(framer.peek(&wire[..cut]), Ok(None), "{cut} octets");
    }
    assert_eq!(framer.peek(&wire), Ok(Some(21)));
    // Octets after the PDU belong to the next one.
    let mut two = wire.to_vec();
    two.extend_from_slice(&wire);
    assert_eq!(framer.peek(&two), Ok(Some(21)));

    // command_length below the header or above the maximum: the errors `decode` gives, once
    // the header is in, whatever follows it.
    for (length, max) in [("00000000", 1024), ("0000000f", 1024), ("00000401", 1024)] {
        let head = octets(&[length, "00000004", "00000000", "00000007"]);
        let mut buf = BytesMut::from(&head[..]);
        let expected = Framer::new(max).decode(&mut buf).unwrap_err();
        assert!(expected.is_framing());
        assert_eq!(Framer::new(max).peek(&head), Err(expected.clone()));
        assert_eq!(Framer::new(max).peek(&head[..15]), Ok(None));
        assert_answer(
            &expected,
            7,
            CommandId::SUBMIT_SM,
            CommandStatus::ESME_RINVCMDLEN,
        );
    }
}

#[test]
fn command_length_must_match_the_frame_given_to_decode() {
    // A frame longer than its command_length: the caller did not frame it with the Framer.
    let e = Pdu::decode(octets(&[
        "00000010", "00000015", "00000000", "00000009", "00000000",
    ]))
    .unwrap_err();
    assert_eq!(
        e,
        Error::Field {
            header: Header {
                command_length: 16,
                command_id: CommandId::ENQUIRE_LINK,
                command_status: CommandStatus::ESME_ROK,
                sequence_number: 9,
            },
            pdu: "pdu",
            field: "command_length",
            offset: 0,
            problem: Problem::LengthPastBody {
                length: 16,
                available: 20,
            },
        }
    );
    assert_answer(
        &e,
        9,
        CommandId::ENQUIRE_LINK,
        CommandStatus::ESME_RINVCMDLEN,
    );

    // A frame shorter than its command_length.
    let e = Pdu::decode(octets(&["00000014", "00000015", "00000000", "00000009"])).unwrap_err();
    let Error::Field {
        field: "command_length",
        problem:
            Problem::LengthPastBody {
                length: 20,
                available: 16,
            },
        ..
    } = e
    else {
        panic!("{e:?}");
    };
    assert_answer(
        &e,
        9,
        CommandId::ENQUIRE_LINK,
        CommandStatus::ESME_RINVCMDLEN,
    );

    // Not even a header: nothing to answer on (the sequence number reads as 0, which §5.1.4
    // never assigns).
    let e = Pdu::decode(octets(&["00000010", "00000015"])).unwrap_err();
    let Error::Field {
        pdu: "pdu",
        field: "header",
        offset: 0,
        problem: Problem::Truncated { needed: 8 },
        ..
    } = e
    else {
        panic!("{e:?}");
    };
    assert_eq!(e.sequence_number(), Some(0));
    assert_eq!(e.response_status(), CommandStatus::ESME_RINVCMDLEN);
}

// Incomplete input ----------------------------------------------------------------------------

fn valid_pdus() -> Vec<Bytes> {
    let mut tlvs = Tlvs::builder();
    tlvs.u16(Tag::SAR_MSG_REF_NUM, 7)
        .u8(Tag::SAR_TOTAL_SEGMENTS, 2)
        .u8(Tag::SAR_SEGMENT_SEQNUM, 1);
    tlvs.octets(Tag(0x1400), b"vendor").unwrap();
    let submit = SubmitSm {
        source_addr: "ACME".into(),
        destination_addr: "447700900123".into(),
        short_message: OctetString::from_static(b"Hello"),
        tlvs: tlvs.build(),
        ..SubmitSm::default()
    };
    [
        Pdu::new(1, Body::SubmitSm(submit)),
        Pdu::new(2, Body::EnquireLink),
        Pdu::with_status(
            3,
            CommandStatus::ESME_RTHROTTLED,
            Body::SubmitSmResp(SubmitSmResp::default()),
        ),
        Pdu::new(
            4,
            Body::BindTransceiver(Bind {
                system_id: "esme".into(),
                password: "secret".into(),
                interface_version: 0x34,
                ..Bind::default()
            }),
        ),
    ]
    .iter()
    .map(|p| p.to_bytes().unwrap())
    .collect()
}

#[test]
fn an_incomplete_frame_is_not_an_error_at_any_split_point() {
    let framer = Framer::default();
    for wire in valid_pdus() {
        for split in 0..wire.len() {
            let mut buf = BytesMut::from(&wire[..split]);
            assert_eq!(
                framer.decode(&mut buf),
                Ok(None),
                "{split} of {}",
                wire.len()
            );
            assert_eq!(&buf[..], &wire[..split], "nothing consumed");
            buf.extend_from_slice(&wire[split..]);
            assert_eq!(framer.decode(&mut buf), Ok(Some(wire.clone())));
            assert!(buf.is_empty());
        }
    }
}

#[test]
fn a_stream_fed_one_octet_at_a_time_frames_every_pdu() {
    let framer = Framer::default();
    let pdus = valid_pdus();
    let stream: Vec<u8> = pdus.concat();
    let mut buf = BytesMut::new();
    let mut frames = Vec::new();
    for &octet in &stream {
        buf.extend_from_slice(&[octet]);
        while let Some(frame) = framer.decode(&mut buf).unwrap() {
            frames.push(frame);
        }
    }
    assert_eq!(frames, pdus);
    assert!(buf.is_empty());
}

// C-Octet Strings (§3.1) ----------------------------------------------------------------------

#[test]
fn a_c_string_longer_than_its_limit() {
    // Each value is one character too long: §3.1 counts the NUL in a C-string's limit, so a
    // field of limit n holds at most n - 1 characters.
    let too_long = |n: usize| format!("{}00", "41".repeat(n));
    let bind = |system_id: &str, password: &str, system_type: &str| {
        let body = [system_id, password, system_type, "34", "01", "01", "00"];
        pdu(0x0000_0002, 31, &body)
    };
    let submit = |service_type: &str, source: &str, dest: &str, sched: &str, validity: &str| {
        let body = [
            service_type,
            "0101",
            source,
            "0101",
            dest,
            "000000",
            sched,
            validity,
            "00000000",
            "00",
        ];
        pdu(0x0000_0004, 31, &body)
    };
    let (c6, c9, c13, c16) = (too_long(6), too_long(9), too_long(13), too_long(16));
    let (c17, c21, c65) = (too_long(17), too_long(21), too_long(65));
    use CommandStatus as S;
    // (PDU, field, its limit, its offset, the answer)
    #[rustfmt::skip]
    let cases = [
        (bind(&c16, "00", "00"), "system_id", 16, 16, S::ESME_RINVSYSID),
        (bind("4100", &c9, "00"), "password", 9, 18, S::ESME_RINVPASWD),
        (bind("4100", "00", &c13), "system_type", 13, 19, S::ESME_RINVSYSTYP),
        (submit(&c6, "00", "00", "00", "00"), "service_type", 6, 16, S::ESME_RINVSERTYP),
        (submit("00", &c21, "00", "00", "00"), "source_addr", 21, 19, S::ESME_RINVSRCADR),
        (submit("00", "00", &c21, "00", "00"), "destination_addr", 21, 22, S::ESME_RINVDSTADR),
        (submit("00", "00", "00", &c17, "00"), "schedule_delivery_time", 17, 26, S::ESME_RINVSCHED),
        (submit("00", "00", "00", "00", &c17), "validity_period", 17, 27, S::ESME_RINVEXPIRY),
        (pdu(0x8000_0004, 31, &[&c65]), "message_id", 65, 16, S::ESME_RINVMSGID),
    ];
    for (wire, field_name, max, at, status) in cases {
        let e = decode_error(&wire);
        let Error::Field {
            header,
            pdu,
            field,
            offset,
            problem,
        } = e
        else {
            panic!("{e:?}");
        };
        assert_eq!(Some(pdu), header.command_id.name());
        assert_eq!((field, offset), (field_name, at), "{e}");
        assert_eq!(problem, Problem::Unterminated { max }, "{e}");
        assert_answer(&e, 31, header.command_id, status);
    }
}

#[test]
fn a_c_string_without_its_nul_at_the_end_of_the_body() {
    // submit_sm_resp whose message_id runs to the end of the PDU without its NUL.
    let wire = pdu(
        0x8000_0004,
        32,
        &[
            "616263", // message_id (§5.2.23): "abc", no NUL
        ],
    );
    let e = decode_error(&wire);
    assert_eq!(
        e,
        Error::Field {
            header: Header {
                command_length: 19,
                command_id: CommandId::SUBMIT_SM_RESP,
                command_status: CommandStatus::ESME_ROK,
                sequence_number: 32,
            },
            pdu: "submit_sm_resp",
            field: "message_id",
            offset: 16,
            problem: Problem::Truncated { needed: 1 },
        }
    );
    assert_answer(
        &e,
        32,
        CommandId::SUBMIT_SM_RESP,
        CommandStatus::ESME_RINVCMDLEN,
    );

    // bind_receiver whose address_range, the last field, lacks its NUL.
    let wire = pdu(
        0x0000_0001,
        33,
        &[
            "657300", // system_id: "es"
            "00",     // password
            "00",     // system_type
            "34",     // interface_version
            "00",     // addr_ton
            "00",     // addr_npi
            "5e3434", // address_range (§5.2.7): "^44", no NUL
        ],
    );
    let e = decode_error(&wire);
    let Error::Field {
        pdu: "bind_receiver",
        field: "address_range",
        offset: 24,
        problem: Problem::Truncated { needed: 1 },
        ..
    } = e
    else {
        panic!("{e:?}");
    };
    assert_answer(
        &e,
        33,
        CommandId::BIND_RECEIVER,
        CommandStatus::ESME_RINVCMDLEN,
    );
}

// short_message (§5.2.21, §5.2.22) -------------------------------------------------------------

/// submit_sm (or deliver_sm) up to and including sm_length; the caller appends what follows.
const SM_HEAD: &[&str] = &[
    "00",   // service_type
    "0101", // source_addr_ton, source_addr_npi
    "3100", // source_addr: "1"
    "0101", // dest_addr_ton, dest_addr_npi
    "3200", // destination_addr: "2"
    "00",   // esm_class
    "00",   // protocol_id
    "00",   // priority_flag
    "00",   // schedule_delivery_time
    "00",   // validity_period
    "00",   // registered_delivery
    "00",   // replace_if_present_flag
    "00",   // data_coding
    "00",   // sm_default_msg_id
];

/// Offset of sm_length in a PDU that starts with [`SM_HEAD`].
const SM_LENGTH_AT: usize = 16 + 1 + 2 + 2 + 2 + 2 + 3 + 1 + 1 + 4;

fn submit_sm(command_id: u32, sequence_number: u32, tail: &[&str]) -> Bytes {
    pdu(command_id, sequence_number, &[SM_HEAD, tail].concat())
}

#[test]
fn sm_length_past_the_body() {
    for (command_id, pdu_name) in [(0x0000_0004, "submit_sm"), (0x0000_0005, "deliver_sm")] {
        let wire = submit_sm(
            command_id,
            41,
            &[
                "0a",       // sm_length (§5.2.21): 10 octets follow
                "48656c6c", // short_message: only 4 of them
            ],
        );
        let e = decode_error(&wire);
        let Error::Field {
            pdu,
            field: "short_message",
            offset,
            problem:
                Problem::LengthPastBody {
                    length: 10,
                    available: 4,
                },
            ..
        } = e
        else {
            panic!("{e:?}");
        };
        assert_eq!((pdu, offset), (pdu_name, SM_LENGTH_AT + 1));
        assert_answer(
            &e,
            41,
            CommandId(command_id),
            CommandStatus::ESME_RINVMSGLEN,
        );
    }
}

#[test]
fn sm_length_above_254() {
    // §5.2.21: sm_length is 0 to 254; 255 octets of message are refused even when present.
    let message = "41".repeat(255);
    let wire = submit_sm(0x0000_0004, 42, &["ff", &message]);
    let e = decode_error(&wire);
    let Error::Field {
        pdu: "submit_sm",
        field: "sm_length",
        problem: Problem::TooLong {
            length: 255,
            max: 254,
        },
        ..
    } = e
    else {
        panic!("{e:?}");
    };
    assert_answer(&e, 42, CommandId::SUBMIT_SM, CommandStatus::ESME_RINVMSGLEN);
}

#[test]
fn short_message_and_message_payload_together() {
    // §5.3.2.32: "the simultaneous use of both fields is not allowed".
    let wire = submit_sm(
        0x0000_0004,
        43,
        &[
            "02",   // sm_length: 2
            "4869", // short_message: "Hi"
            "0424", // tag: message_payload
            "0002", // length: 2
            "4869", // value: "Hi"
        ],
    );
    let e = decode_error(&wire);
    let Error::Field {
        pdu: "submit_sm",
        field: "message_payload",
        problem: Problem::PayloadConflict,
        ..
    } = e
    else {
        panic!("{e:?}");
    };
    assert_answer(
        &e,
        43,
        CommandId::SUBMIT_SM,
        CommandStatus::ESME_RINVOPTPARSTREAM,
    );

    // With sm_length 0 the payload alone is fine.
    let wire = submit_sm(0x0000_0004, 43, &["00", "0424", "0002", "4869"]);
    let pdu = Pdu::decode(wire.clone()).unwrap();
    assert_eq!(pdu.to_bytes().unwrap(), wire);
}

// TLVs (§5.3.1) --------------------------------------------------------------------------------

#[test]
fn a_tlv_whose_length_runs_past_the_body() {
    let wire = submit_sm(
        0x0000_0004,
        51,
        &[
            "00",     // sm_length: 0
            "0204",   // tag: user_message_reference
            "0002",   // length: 2
            "0001",   // value
            "0424",   // tag: message_payload
            "00ff",   // length (§5.3.1): 255 octets...
            "414243", // ...of which 3 are there
        ],
    );
    let e = decode_error(&wire);
    assert_eq!(
        e,
        Error::Field {
            header: Header {
                command_length: wire.len() as u32,
                command_id: CommandId::SUBMIT_SM,
                command_status: CommandStatus::ESME_ROK,
                sequence_number: 51,
            },
            pdu: "submit_sm",
            field: "tlv",
            // The second TLV, after sm_length and the 6 octets of the first.
            offset: SM_LENGTH_AT + 1 + 6,
            problem: Problem::TlvPastBody {
                tag: 0x0424,
                length: 255,
                available: 3,
            },
        }
    );
    assert_answer(
        &e,
        51,
        CommandId::SUBMIT_SM,
        CommandStatus::ESME_RINVOPTPARSTREAM,
    );

    // The same on a response, whose TLVs are a carrier habit.
    let wire = pdu(0x8000_0004, 52, &["6100", "1400", "ffff", "00"]);
    let e = decode_error(&wire);
    let Error::Field {
        pdu: "submit_sm_resp",
        field: "tlv",
        offset: 18,
        problem:
            Problem::TlvPastBody {
                tag: 0x1400,
                length: 0xffff,
                available: 1,
            },
        ..
    } = e
    else {
        panic!("{e:?}");
    };
    assert_answer(
        &e,
        52,
        CommandId::SUBMIT_SM_RESP,
        CommandStatus::ESME_RINVOPTPARSTREAM,
    );
}

#[test]
fn a_tlv_header_cut_short() {
    // §5.3.1: a TLV is at least a 2-octet tag and a 2-octet length; 1 to 3 octets are not one.
    for (stray, needed) in [("04", 3), ("0424", 2), ("042400", 1)] {
        let wire = submit_sm(0x0000_0004, 53, &["00", stray]);
        let e = decode_error(&wire);
        assert_eq!(
            e,
            Error::Field {
                header: Header {
                    command_length: wire.len() as u32,
                    command_id: CommandId::SUBMIT_SM,
                    command_status: CommandStatus::ESME_ROK,
                    sequence_number: 53,
                },
                pdu: "submit_sm",
                field: "tlv",
                offset: SM_LENGTH_AT + 1,
                problem: Problem::Truncated { needed },
            }
        );
        assert_answer(
            &e,
            53,
            CommandId::SUBMIT_SM,
            CommandStatus::ESME_RINVOPTPARSTREAM,
        );
    }
}

// command_id (§5.1.2.1) ------------------------------------------------------------------------

#[test]
fn an_unknown_command_id_is_framed_then_refused() {
    for id in [
        0x0000_000a_u32,
        0x0000_0010,
        0x0000_0104,
        0x8000_0010,
        0xffff_ffff,
    ] {
        let unknown = pdu(id, 61, &["deadbeef"]);
        let next = Pdu::new(62, Body::EnquireLink).to_bytes().unwrap();
        let mut buf = BytesMut::from(&[&unknown[..], &next[..]].concat()[..]);
        let framer = Framer::default();
        let frame = framer.decode(&mut buf).unwrap().unwrap();
        let e = Pdu::decode(frame).unwrap_err();
        assert_eq!(
            e,
            Error::UnknownCommand {
                header: Header {
                    command_length: 20,
                    command_id: CommandId(id),
                    command_status: CommandStatus::ESME_ROK,
                    sequence_number: 61,
                },
            }
        );
        assert!(!e.is_framing(), "the stream is still framed");
        assert_answer(&e, 61, CommandId(id), CommandStatus::ESME_RINVCMDID);
        // The PDU after it is read as usual.
        let next = Pdu::decode(framer.decode(&mut buf).unwrap().unwrap()).unwrap();
        assert_eq!(next, Pdu::new(62, Body::EnquireLink));
    }
}

// Bodies too short or too long -----------------------------------------------------------------

#[test]
fn a_body_too_short_for_its_fields() {
    // (PDU, the field the body ends in, its offset, octets missing)
    #[rustfmt::skip]
    let cases = [
        // bind_transmitter that ends after system_type.
        (pdu(0x0000_0002, 71, &["657300", "00", "00"]), "interface_version", 21, 1),
        // submit_sm that ends after destination_addr.
        (pdu(0x0000_0004, 71, &["00", "0101", "3100", "0101", "3200"]), "esm_class", 25, 1),
        // submit_sm that ends before sm_length.
        (submit_sm(0x0000_0004, 71, &[]), "sm_length", SM_LENGTH_AT, 1),
        // query_sm_resp without error_code.
        (pdu(0x8000_0003, 71, &["6100", "00", "02"]), "error_code", 20, 1),
        // submit_multi_resp whose error_status_code has 2 of its 4 octets.
        (pdu(0x8000_0021, 71, &["6100", "01", "0101", "3100", "0000"]), "error_status_code", 23, 2),
        // submit_multi announcing 2 destinations that ends after the first.
        (pdu(0x0000_0021, 71, &["00", "0101", "3100", "02", "010101", "3200"]), "dest_flag", 27, 1),
        // alert_notification that ends after esme_addr_npi.
        (pdu(0x0000_0102, 71, &["0101", "3100", "0500"]), "esme_addr", 22, 1),
    ];
    for (wire, field_name, at, missing) in cases {
        let e = decode_error(&wire);
        let Error::Field {
            header,
            pdu,
            field,
            offset,
            problem,
        } = e
        else {
            panic!("{e:?}");
        };
        assert_eq!(Some(pdu), header.command_id.name());
        assert_eq!((field, offset), (field_name, at), "{e}");
        assert_eq!(problem, Problem::Truncated { needed: missing }, "{e}");
        assert_eq!(Some(&header), e.header());
        assert_eq!(header, Header::from_bytes(wire[..16].try_into().unwrap()));
        assert_eq!(e.sequence_number(), Some(71));
    }
}
#[test]
fn trailing_octets_after_a_pdu_without_optional_part() {
    // §4.2, §4.3, §4.9.2, §4.10.2, §4.11: these PDUs are the header alone.
    let header_only = [
        (0x0000_0015, "enquire_link"),
        (0x8000_0015, "enquire_link_resp"),
        (0x0000_0006, "unbind"),
        (0x8000_0006, "unbind_resp"),
        (0x8000_0000, "generic_nack"),
        (0x8000_0008, "cancel_sm_resp"),
        (0x8000_0007, "replace_sm_resp"),
    ];
    for (id, name) in header_only {
        let wire = pdu(id, 81, &["00"]);
        let e = decode_error(&wire);
        assert_eq!(
            e,
            Error::TrailingBytes {
                header: Header {
                    command_length: 17,
                    command_id: CommandId(id),
                    command_status: CommandStatus::ESME_ROK,
                    sequence_number: 81,
                },
                pdu: name,
                extra: 1,
            }
        );
        assert_answer(&e, 81, CommandId(id), CommandStatus::ESME_RINVCMDLEN);
    }
    // §4.1.7: outbind has no optional part either.
    let e = decode_error(&pdu(0x0000_000b, 82, &["534d534300", "707700", "0102"]));
    let Error::TrailingBytes {
        pdu: "outbind",
        extra: 2,
        ..
    } = e
    else {
        panic!("{e:?}");
    };
    assert_answer(&e, 82, CommandId::OUTBIND, CommandStatus::ESME_RINVCMDLEN);
}

// submit_multi (§4.5.1) ------------------------------------------------------------------------

#[test]
fn submit_multi_with_a_bad_dest_flag() {
    // §5.2.25: dest_flag is 1 (SME address) or 2 (distribution list).
    let wire = pdu(0x0000_0021, 91, &["00", "0101", "3100", "01", "03", "3200"]);
    let e = decode_error(&wire);
    let Error::Field {
        pdu: "submit_multi",
        field: "dest_flag",
        problem: Problem::InvalidValue(3),
        ..
    } = e
    else {
        panic!("{e:?}");
    };
    assert_answer(
        &e,
        91,
        CommandId::SUBMIT_MULTI,
        CommandStatus::ESME_RINVDESTFLAG,
    );
}

#[test]
fn submit_multi_with_255_destinations() {
    // §5.2.24: "a maximum of 254 destination addresses are allowed".
    let dests = "024100"; // dest_flag 2, dl_name "A"
    let mut body = vec!["00", "0101", "3100", "ff"];
    body.extend(std::iter::repeat_n(dests, 255));
    body.extend(["000000", "00", "00", "00000000", "00"]);
    let e = decode_error(&pdu(0x0000_0021, 92, &body));
    let Error::Field {
        pdu: "submit_multi",
        field: "number_of_dests",
        problem: Problem::InvalidValue(255),
        ..
    } = e
    else {
        panic!("{e:?}");
    };
    assert_answer(
        &e,
        92,
        CommandId::SUBMIT_MULTI,
        CommandStatus::ESME_RINVNUMDESTS,
    );
}

// Encoding -------------------------------------------------------------------------------------

/// Encodes into a buffer that already holds other data; on error nothing may be written.
fn encode_error(pdu: &Pdu) -> Error {
    let mut dst = BytesMut::from(&b"previous"[..]);
    let e = pdu.encode(&mut dst).unwrap_err();
    assert_eq!(&dst[..], b"previous", "nothing written on error");
    assert_eq!(pdu.encoded_len(), Err(e.clone()));
    assert_eq!(e.header(), None);
    assert_eq!(e.sequence_number(), None);
    assert_eq!(e.response_status(), CommandStatus::ESME_RSYSERR);
    e
}

fn submit(short_message: &'static [u8], tlvs: Tlvs) -> SubmitSm {
    SubmitSm {
        source_addr: "ACME".into(),
        destination_addr: "447700900123".into(),
        short_message: OctetString::from_static(short_message),
        tlvs,
        ..SubmitSm::default()
    }
}

#[test]
fn encoding_a_c_string_longer_than_its_limit() {
    let body = SubmitSm {
        source_addr: "123456789012345678901".into(), // 21 characters + NUL > 21
        ..submit(b"", Tlvs::new())
    };
    assert_eq!(
        encode_error(&Pdu::new(1, Body::SubmitSm(body.clone()))),
        Error::Encode {
            pdu: "submit_sm",
            field: "source_addr",
            problem: Problem::TooLong {
                length: 22,
                max: 21,
            },
        }
    );
    // The error names the PDU being encoded, not the body type it shares.
    let Error::Encode {
        pdu: "deliver_sm", ..
    } = encode_error(&Pdu::new(1, Body::DeliverSm(body)))
    else {
        panic!();
    };
    // At the limit it encodes.
    let body = SubmitSm {
        source_addr: "12345678901234567890".into(),
        ..submit(b"", Tlvs::new())
    };
    assert!(Pdu::new(1, Body::SubmitSm(body)).to_bytes().is_ok());

    let bind = Bind {
        system_id: "0123456789abcdef".into(), // 16 + NUL > 16
        ..Bind::default()
    };
    assert_eq!(
        encode_error(&Pdu::new(1, Body::BindTransceiver(bind))),
        Error::Encode {
            pdu: "bind_transceiver",
            field: "system_id",
            problem: Problem::TooLong {
                length: 17,
                max: 16,
            },
        }
    );
}

#[test]
fn encoding_a_c_string_with_a_nul_inside() {
    let body = SubmitSm {
        destination_addr: COctetString::from_static(b"4477\x00123"),
        ..submit(b"", Tlvs::new())
    };
    assert_eq!(
        encode_error(&Pdu::new(1, Body::SubmitSm(body))),
        Error::Encode {
            pdu: "submit_sm",
            field: "destination_addr",
            problem: Problem::InteriorNul,
        }
    );
}

#[test]
fn encoding_a_short_message_over_254_octets() {
    static LONG: [u8; 255] = [b'x'; 255];
    assert_eq!(
        encode_error(&Pdu::new(1, Body::SubmitSm(submit(&LONG, Tlvs::new())))),
        Error::Encode {
            pdu: "submit_sm",
            field: "short_message",
            problem: Problem::TooLong {
                length: 255,
                max: 254,
            },
        }
    );
    let fits = Pdu::new(1, Body::SubmitSm(submit(&LONG[..254], Tlvs::new())));
    let wire = fits.to_bytes().unwrap();
    assert_eq!(Pdu::decode(wire).unwrap(), fits);
}

#[test]
fn encoding_short_message_and_message_payload_together() {
    let mut payload = Tlvs::builder();
    payload.octets(Tag::MESSAGE_PAYLOAD, b"Hello").unwrap();
    let payload = payload.build();
    assert_eq!(
        encode_error(&Pdu::new(
            1,
            Body::SubmitSm(submit(b"Hello", payload.clone()))
        )),
        Error::Encode {
            pdu: "submit_sm",
            field: "message_payload",
            problem: Problem::PayloadConflict,
        }
    );
    // §5.3.2.32: with message_payload, sm_length is 0.
    assert!(
        Pdu::new(1, Body::SubmitSm(submit(b"", payload)))
            .to_bytes()
            .is_ok()
    );
}

#[test]
fn encoding_too_many_destinations() {
    let dest = Dest::DistributionList {
        dl_name: "staff".into(),
    };
    let multi = SubmitMulti {
        dest_addresses: vec![dest; 255],
        ..SubmitMulti::default()
    };
    assert_eq!(
        encode_error(&Pdu::new(1, Body::SubmitMulti(multi))),
        Error::Encode {
            pdu: "submit_multi",
            field: "number_of_dests",
            problem: Problem::TooLong {
                length: 255,
                max: 254,
            },
        }
    );
    let failed = UnsuccessSme {
        dest_addr_ton: Ton::INTERNATIONAL,
        dest_addr_npi: Npi::ISDN,
        destination_addr: "447700900123".into(),
        error_status_code: CommandStatus::ESME_RINVDSTADR,
    };
    let resp = SubmitMultiResp {
        message_id: Some("m".into()),
        unsuccess_smes: vec![failed; 256],
        tlvs: Tlvs::new(),
    };
    assert_eq!(
        encode_error(&Pdu::new(1, Body::SubmitMultiResp(resp))),
        Error::Encode {
            pdu: "submit_multi_resp",
            field: "no_unsuccess",
            problem: Problem::TooLong {
                length: 256,
                max: 255,
            },
        }
    );
}

#[test]
fn encoding_a_tlv_over_65535_octets() {
    // §5.3.1: the length is two octets.
    let e = Tlvs::builder()
        .octets(Tag::MESSAGE_PAYLOAD, &vec![0; 65536])
        .unwrap_err();
    assert_eq!(
        e,
        Error::Encode {
            pdu: "tlv",
            field: "message_payload",
            problem: Problem::TooLong {
                length: 65536,
                max: 65535,
            },
        }
    );
    let e = Tlvs::builder()
        .cstr(Tag::RECEIPTED_MESSAGE_ID, b"a\0b")
        .unwrap_err();
    assert_eq!(
        e,
        Error::Encode {
            pdu: "tlv",
            field: "receipted_message_id",
            problem: Problem::InteriorNul,
        }
    );
}
