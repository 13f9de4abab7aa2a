//! The interop corpus (issue 2, item 7): PDUs encoded by independent SMPP implementations, each
//! stored as `tests/vectors/<implementation>/<name>.hex` beside `<name>.json`, the fields as that
//! implementation's own decoder understood them (see `tests/vectors/gen/`). Each vector must
//! frame as exactly one PDU, decode, agree with the implementation field by field, and re-encode
//! to the same octets.
//!
//! The expectations are compared with the codec's JSON form (feature `serde`). Where the two
//! differ in name or representation, the mapping is:
//!
//! | expectation                          | codec                                                   |
//! |--------------------------------------|---------------------------------------------------------|
//! | `command`                            | `command_id`                                            |
//! | `command_status`: number             | `command_status`: spec name, or number if unnamed       |
//! | `fields.sm_length`                   | derived: octets of `short_message`                      |
//! | `fields.number_of_dests`             | derived: entries of `dest_addresses`                    |
//! | `fields.dest_address[]`              | `dest_addresses[]`                                      |
//! | `dest_flag`: 1 / 2                   | `dest_flag`: `"sme_address"` / `"distribution_list"`    |
//! | `fields.no_unsuccess`                | derived: entries of `unsuccess_smes`                    |
//! | `fields.unsuccess_sme[]`             | `unsuccess_smes[]`                                      |
//! | `error_status_code`: number          | spec name, or number if unnamed                         |
//! | `fields: {}` (no body)               | `system_id` / `message_id` absent                       |
//! | `tlvs`: object, key = name or `0x…`  | `tlvs`: array of `{tag, value}` in wire order           |
//! | a repeated TLV: the last one         | every occurrence (the last one is compared)             |
//! | TLV number where the codec has octets | hex of the octets, read as a big-endian number          |
//! |   (a library typing an octet TLV)    |                                                         |
//! | TLV `""` with no value               | `value: null` (`alert_on_message_delivery`)             |
//! | C-string as text (Latin-1)           | text, or `{"hex": …}` if not UTF-8 (no NUL in a TLV)    |
#![cfg(feature = "serde")]

use bytes::BytesMut;
use serde_json::{Map, Value};
use smppd_codec::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// One vector: which implementation wrote it, and the paths of its two files.
struct Vector {
    implementation: String,
    name: String,
    hex: PathBuf,
    json: PathBuf,
}

fn vectors() -> Vec<Vector> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let mut out = Vec::new();
    let mut implementations: Vec<_> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|entry| entry.unwrap().path())
        // `gen/` holds the generators, not vectors.
        .filter(|dir| dir.is_dir() && !dir.ends_with("gen"))
        .collect();
    implementations.sort();
    for dir in implementations {
        let implementation = dir.file_name().unwrap().to_string_lossy().into_owned();
        let mut hexes: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "hex"))
            .collect();
        hexes.sort();
        assert!(!hexes.is_empty(), "{}: no vectors", dir.display());
        for hex in hexes {
            let json = hex.with_extension("json");
            assert!(json.exists(), "{} has no .json beside it", hex.display());
            let name = hex.file_stem().unwrap().to_string_lossy().into_owned();
            out.push(Vector {
                implementation: implementation.clone(),
                name,
                hex,
                json,
            });
        }
    }
    out
}

#[test]
fn every_vector_decodes_as_its_implementation_read_it_and_reencodes_exactly() {
    let vectors = vectors();
    assert!(!vectors.is_empty(), "the corpus is empty");
    let mut problems = Vec::new();
    let mut commands = BTreeSet::new();
    for vector in &vectors {
        let label = format!("{}/{}", vector.implementation, vector.name);
        match check(vector) {
            Ok(id) => {
                commands.insert(id);
            }
            Err(mut found) => {
                found.iter_mut().for_each(|p| *p = format!("{label}: {p}"));
                problems.extend(found);
            }
        }
    }
    eprintln!("{} vectors checked", vectors.len());
    assert!(
        problems.is_empty(),
        "{} of {} vectors disagree:\n{}",
        problems.len(),
        vectors.len(),
        problems.join("\n")
    );
    // Together the implementations exercise every command of SMPP 3.4.
    let all: BTreeSet<_> = CommandId::ALL.iter().copied().collect();
    let missing: Vec<_> = all.difference(&commands).collect();
    assert!(missing.is_empty(), "no vector for {missing:?}");
}

/// Checks one vector; returns its command_id, or every disagreement found.
fn check(vector: &Vector) -> Result<CommandId, Vec<String>> {
    let text = std::fs::read_to_string(&vector.hex).unwrap();
    let wire = hex::decode(&text).map_err(|e| vec![format!("bad hex: {e}")])?;
    let expected: Value = serde_json::from_str(&std::fs::read_to_string(&vector.json).unwrap())
        .map_err(|e| vec![format!("bad json: {e}")])?;
    check_octets(&wire, &expected)
}

fn check_octets(wire: &[u8], expected: &Value) -> Result<CommandId, Vec<String>> {
    // Exactly one PDU, framed and decoded.
    let mut buf = BytesMut::from(wire);
    let frame = match Framer::default().decode(&mut buf) {
        Ok(Some(frame)) => frame,
        other => return Err(vec![format!("does not frame: {other:?}")]),
    };
    if !buf.is_empty() {
        return Err(vec![format!("{} octets after the PDU", buf.len())]);
    }
    let pdu = Pdu::decode(frame).map_err(|e| vec![format!("does not decode: {e}")])?;

    let mut problems = Vec::new();
    // The borrowed path reads the same PDU out of the same octets.
    match Framer::default().peek(wire) {
        Ok(Some(len)) if len == wire.len() => {}
        other => problems.push(format!("peek gives {other:?}")),
    }
    match Pdu::decode_borrowed(wire) {
        Ok(borrowed) if borrowed.clone().into_owned() == pdu => match borrowed.to_bytes() {
            Ok(again) if again[..] == wire[..] => {}
            other => problems.push(format!("the borrowed PDU re-encodes as {other:?}")),
        },
        other => problems.push(format!("decodes borrowed as {other:?}")),
    }
    match pdu.to_bytes() {
        Ok(again) if again[..] == wire[..] => {}
        Ok(again) => problems.push(format!(
            "re-encodes as {}\n  instead of {}",
            hex::encode(&again),
            hex::encode(wire)
        )),
        Err(e) => problems.push(format!("does not re-encode: {e}")),
    }
    let actual = serde_json::to_value(&pdu).unwrap();
    // The JSON form reads back as the same PDU (what `smppctl pdu encode` relies on).
    match serde_json::from_value::<Pdu>(actual.clone()) {
        Ok(back) if back == pdu => {}
        Ok(back) => problems.push(format!("JSON reads back as {back:?}")),
        Err(e) => problems.push(format!("JSON does not read back: {e}")),
    }
    compare(expected, &actual, &pdu, &mut problems);
    if problems.is_empty() {
        Ok(pdu.command_id())
    } else {
        Err(problems)
    }
}

/// The comparison is not vacuous: a vector whose expectation is altered in any one place fails.
#[test]
fn an_altered_expectation_is_caught() {
    let vectors = vectors();
    let (wire, expected) = vectors
        .iter()
        .map(|v| {
            let wire = hex::decode(&std::fs::read_to_string(&v.hex).unwrap()).unwrap();
            let json: Value =
                serde_json::from_str(&std::fs::read_to_string(&v.json).unwrap()).unwrap();
            (wire, json)
        })
        .find(|(_, json)| {
            json["command"] == "submit_sm"
                && json["tlvs"].as_object().is_some_and(|t| !t.is_empty())
        })
        .expect("a submit_sm with TLVs in the corpus");
    assert_eq!(check_octets(&wire, &expected).err(), None);

    type Alteration = (&'static str, fn(&mut Value));
    let alterations: [Alteration; 8] = [
        ("command", |e| e["command"] = "deliver_sm".into()),
        ("command_status", |e| e["command_status"] = 1.into()),
        ("sequence_number", |e| {
            e["sequence_number"] = 0x7fff_ffff.into()
        }),
        ("a C-string", |e| {
            e["fields"]["source_addr"] = "other".into()
        }),
        ("sm_length", |e| e["fields"]["sm_length"] = 255.into()),
        ("a field too many", |e| e["fields"]["extra"] = 0.into()),
        ("a field too few", |e| {
            e["fields"].as_object_mut().unwrap().remove("esm_class");
        }),
        ("a TLV", |e| {
            let tlvs = e["tlvs"].as_object_mut().unwrap();
            let first = tlvs.keys().next().unwrap().clone();
            tlvs.remove(&first);
        }),
    ];
    for (what, alter) in alterations {
        let mut altered = expected.clone();
        alter(&mut altered);
        assert!(
            check_octets(&wire, &altered).is_err(),
            "altering {what} went unnoticed"
        );
    }
    let mut altered_octets = wire.clone();
    // The last octet is in the TLVs: change a value, and the implementation's reading differs.
    *altered_octets.last_mut().unwrap() ^= 0x01;
    assert!(check_octets(&altered_octets, &expected).is_err());
}

fn compare(expected: &Value, actual: &Value, pdu: &Pdu, problems: &mut Vec<String>) {
    let mut differ = |what: &str, want: &Value, got: &Value| {
        problems.push(format!("{what}: implementation {want}, codec {got}"));
    };
    if expected["command"] != actual["command_id"] {
        differ("command", &expected["command"], &actual["command_id"]);
    }
    if expected["command_status"] != pdu.command_status.0 {
        differ(
            "command_status",
            &expected["command_status"],
            &actual["command_status"],
        );
    }
    if expected["sequence_number"] != actual["sequence_number"] {
        differ(
            "sequence_number",
            &expected["sequence_number"],
            &actual["sequence_number"],
        );
    }

    let empty = Map::new();
    let fields = expected["fields"].as_object().unwrap_or(&empty);
    let actual_fields = actual.as_object().unwrap();
    for (name, want) in fields {
        let got = match name.as_str() {
            "sm_length" => Value::from(octet_count(&actual["short_message"])),
            "number_of_dests" => Value::from(array_len(&actual["dest_addresses"])),
            "no_unsuccess" => Value::from(array_len(&actual["unsuccess_smes"])),
            "dest_address" => dest_addresses(&actual["dest_addresses"]),
            "unsuccess_sme" => unsuccess_smes(&actual["unsuccess_smes"]),
            _ => actual.get(name).cloned().unwrap_or(Value::Null),
        };
        if !same_field(want, &got) {
            differ(&format!("fields.{name}"), want, &got);
        }
    }
    // Nothing the codec read is unknown to the implementation (nor a body it did not see).
    for name in actual_fields.keys() {
        let expected_name = match name.as_str() {
            "command_id" | "command_status" | "sequence_number" | "tlvs" => continue,
            "dest_addresses" => "dest_address",
            "unsuccess_smes" => "unsuccess_sme",
            other => other,
        };
        // A body the implementation did not see: the codec has no id and zero for the rest.
        let absent = fields.is_empty()
            && !matches!(name.as_str(), "message_id" | "system_id")
            && is_zero(&actual[name]);
        if !fields.contains_key(expected_name) && !absent {
            differ(
                &format!("fields.{expected_name}"),
                &Value::Null,
                &actual[name],
            );
        }
    }

    let want_tlvs = expected["tlvs"].as_object().unwrap_or(&empty);
    let mut got_tlvs = Map::new();
    for tlv in actual["tlvs"].as_array().into_iter().flatten() {
        let tag = tlv["tag"].as_str().unwrap().to_owned();
        // A repeated tag: the implementation kept the last occurrence.
        got_tlvs.insert(tag, tlv.clone());
    }
    for (tag, want) in want_tlvs {
        match got_tlvs.get(tag) {
            Some(got) if same_tlv(want, got) => {}
            got => differ(&format!("tlvs.{tag}"), want, got.unwrap_or(&Value::Null)),
        }
    }
    for (tag, got) in &got_tlvs {
        if !want_tlvs.contains_key(tag) {
            differ(&format!("tlvs.{tag}"), &Value::Null, got);
        }
    }
}

/// A mandatory field: equal, or a C-string the codec shows as hex because it is not UTF-8 and
/// the implementation as Latin-1 text.
fn same_field(want: &Value, got: &Value) -> bool {
    want == got
        || matches!((want, hex_of(got)), (Value::String(text), Some(octets)) if latin1(&octets) == *text)
}

/// A TLV value: see the mapping table at the top.
fn same_tlv(want: &Value, got: &Value) -> bool {
    match (want, &got["value"], hex_of(got)) {
        (want, value, None) if want == value => true,
        // A C-string the codec shows as octets (no NUL, or not UTF-8).
        (Value::String(text), Value::Null, Some(octets)) => {
            latin1(octets.strip_suffix(&[0]).unwrap_or(&octets)) == *text
        }
        // No value at all.
        (Value::String(text), Value::Null, None) => text.is_empty(),
        // An octet string the implementation reads as a number.
        (Value::Number(n), Value::String(h), None) => hex::decode(h)
            .ok()
            .filter(|octets| octets.len() <= 8)
            .map(|octets| octets.iter().fold(0u64, |n, b| n << 8 | u64::from(*b)))
            .is_some_and(|value| Some(value) == n.as_u64()),
        _ => false,
    }
}

/// `""`, `0` or `[]`.
fn is_zero(value: &Value) -> bool {
    match value {
        Value::String(s) => s.is_empty(),
        Value::Number(n) => n.as_u64() == Some(0),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// The octets of a `{"hex": "…"}` value.
fn hex_of(value: &Value) -> Option<Vec<u8>> {
    hex::decode(value.get("hex")?.as_str()?).ok()
}

fn latin1(octets: &[u8]) -> String {
    octets.iter().map(|&b| char::from(b)).collect()
}

fn octet_count(hex: &Value) -> usize {
    hex.as_str().map_or(0, |h| h.len() / 2)
}

fn array_len(value: &Value) -> usize {
    value.as_array().map_or(0, Vec::len)
}

/// The codec's destinations in the implementation's form: `dest_flag` as its number.
fn dest_addresses(value: &Value) -> Value {
    let mapped = value.as_array().into_iter().flatten().map(|dest| {
        let mut dest = dest.as_object().unwrap().clone();
        let flag = match dest["dest_flag"].as_str() {
            Some("sme_address") => Value::from(1),
            Some("distribution_list") => Value::from(2),
            _ => dest["dest_flag"].clone(),
        };
        dest.insert("dest_flag".to_owned(), flag);
        Value::Object(dest)
    });
    Value::Array(mapped.collect())
}

/// The codec's failed destinations in the implementation's form: the status as its number.
fn unsuccess_smes(value: &Value) -> Value {
    let mapped = value.as_array().into_iter().flatten().map(|sme| {
        let mut sme = sme.as_object().unwrap().clone();
        let status: CommandStatus =
            serde_json::from_value(sme["error_status_code"].clone()).unwrap();
        sme.insert("error_status_code".to_owned(), Value::from(status.0));
        Value::Object(sme)
    });
    Value::Array(mapped.collect())
}
