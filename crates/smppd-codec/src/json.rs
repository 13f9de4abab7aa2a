//! The JSON form of PDUs (feature `serde`): fields named as in the spec, C-strings as text,
//! octet strings as hex, `command_status` by its spec name, TLVs by name with typed values.

use crate::{COctetString, CommandStatus, OctetString, Tag, TlvKind, Tlvs, hex};
use bytes::Bytes;
use serde::de::{self, Deserializer};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

// Serialising works on either buffer; deserialising makes `Bytes`, which the derived impls ask
// of `B` as `From<Bytes>`: in effect, JSON input is for the owned instantiation only.

impl<B: AsRef<[u8]>> Serialize for COctetString<B> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match std::str::from_utf8(self.0.as_ref()) {
            Ok(text) => s.serialize_str(text),
            // Not text: keep every octet rather than guess.
            Err(_) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("hex", &hex::encode(self.0.as_ref()))?;
                map.end()
            }
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum CStrJson {
    Text(String),
    Hex { hex: String },
}

impl<'de, B: From<Bytes>> Deserialize<'de> for COctetString<B> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let octets = match CStrJson::deserialize(d)? {
            CStrJson::Text(text) => Bytes::from(text),
            CStrJson::Hex { hex: h } => hex::decode(&h)
                .map(Bytes::from)
                .map_err(de::Error::custom)?,
        };
        Ok(COctetString(octets.into()))
    }
}

impl<B: AsRef<[u8]>> Serialize for OctetString<B> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(self.0.as_ref()))
    }
}

impl<'de, B: From<Bytes>> Deserialize<'de> for OctetString<B> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        hex::decode(&text)
            .map(|octets| OctetString(Bytes::from(octets).into()))
            .map_err(de::Error::custom)
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum CodeJson {
    Number(u32),
    Name(String),
}

impl Serialize for CommandStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.name() {
            Some(name) => s.serialize_str(name),
            None => s.serialize_u32(self.0),
        }
    }
}

impl<'de> Deserialize<'de> for CommandStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match CodeJson::deserialize(d)? {
            CodeJson::Number(n) => Ok(CommandStatus(n)),
            CodeJson::Name(name) => CommandStatus::from_name(&name)
                .or_else(|| parse_hex_u32(&name).map(CommandStatus))
                .ok_or_else(|| de::Error::custom(format!("unknown command_status {name:?}"))),
        }
    }
}

fn parse_hex_u32(text: &str) -> Option<u32> {
    u32::from_str_radix(text.strip_prefix("0x")?, 16).ok()
}

/// One TLV in JSON: `{"tag": "sar_msg_ref_num", "value": 7}`.
struct TlvJson<'a>(Tag, &'a [u8]);

impl Serialize for TlvJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let TlvJson(tag, value) = *self;
        let mut map = s.serialize_map(Some(2))?;
        match tag.name() {
            Some(name) => map.serialize_entry("tag", name)?,
            None => map.serialize_entry("tag", &format!("{:#06x}", tag.0))?,
        }
        let int = |v: &[u8]| v.iter().fold(0u64, |n, b| n << 8 | u64::from(*b));
        match (tag.kind(), value.len()) {
            (TlvKind::U8, 1) | (TlvKind::U16, 2) | (TlvKind::U32, 4) => {
                map.serialize_entry("value", &int(value))?
            }
            (TlvKind::CString(_), _) => {
                let text = value.strip_suffix(&[0]);
                match text.map(std::str::from_utf8) {
                    Some(Ok(text)) => map.serialize_entry("value", text)?,
                    // No NUL or not text: show the exact octets.
                    _ => map.serialize_entry("hex", &hex::encode(value))?,
                }
            }
            (TlvKind::Empty, 0) => map.serialize_entry("value", &())?,
            _ => map.serialize_entry("value", &hex::encode(value))?,
        }
        map.end()
    }
}

impl<B: AsRef<[u8]>> Serialize for Tlvs<B> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for (tag, value) in self.iter() {
            seq.serialize_element(&TlvJson(tag, value))?;
        }
        seq.end()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TlvIn {
    tag: CodeJson,
    #[serde(default)]
    value: Option<serde_json_value::Value>,
    #[serde(default)]
    hex: Option<String>,
}

/// A minimal JSON value for TLV input, so the codec needs no JSON library.
mod serde_json_value {
    use serde::Deserialize;

    #[derive(Deserialize)]
    #[serde(untagged)]
    pub(super) enum Value {
        Number(u64),
        Text(String),
    }
}

impl<'de, B: From<Bytes>> Deserialize<'de> for Tlvs<B> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let items = Vec::<TlvIn>::deserialize(d)?;
        let mut builder = Tlvs::builder();
        for item in items {
            let tag = match item.tag {
                CodeJson::Number(n) => u16::try_from(n).map(Tag).ok(),
                CodeJson::Name(name) => Tag::from_name(&name).or_else(|| {
                    parse_hex_u32(&name)
                        .and_then(|n| u16::try_from(n).ok())
                        .map(Tag)
                }),
            }
            .ok_or_else(|| de::Error::custom("unknown TLV tag"))?;
            let octets: Vec<u8> = match (item.hex, item.value, tag.kind()) {
                (Some(h), _, _) => hex::decode(&h).map_err(de::Error::custom)?,
                (None, None, _) => Vec::new(),
                (None, Some(serde_json_value::Value::Number(n)), kind) => {
                    let width = match kind {
                        TlvKind::U8 => 1,
                        TlvKind::U16 => 2,
                        TlvKind::U32 => 4,
                        _ => {
                            return Err(de::Error::custom(format!(
                                "TLV {tag} takes text or hex, not a number"
                            )));
                        }
                    };
                    if n >> (8 * width) != 0 {
                        return Err(de::Error::custom(format!(
                            "TLV {tag} value {n} does not fit {width} octet(s)"
                        )));
                    }
                    n.to_be_bytes()[8 - width..].to_vec()
                }
                (None, Some(serde_json_value::Value::Text(text)), TlvKind::CString(_)) => {
                    let mut octets = text.into_bytes();
                    octets.push(0);
                    octets
                }
                (None, Some(serde_json_value::Value::Text(text)), _) => {
                    hex::decode(&text).map_err(de::Error::custom)?
                }
            };
            builder.octets(tag, &octets).map_err(de::Error::custom)?;
        }
        Ok(builder.build().map_octets())
    }
}
