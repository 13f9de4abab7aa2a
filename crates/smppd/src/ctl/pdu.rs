//! `smppctl pdu ...`: decode and encode single PDUs, for reading carrier traces.

use super::{CtlError, read_arg};
use bytes::BytesMut;
use smppd_codec::{Framer, Pdu, hex};

/// `smppctl pdu decode <HEX|->`: one PDU in hex to pretty JSON.
pub fn decode(arg: &str) -> Result<String, CtlError> {
    let text = read_arg(arg)?;
    let octets = hex::decode(&text).map_err(CtlError::Input)?;
    let pdu = decode_one(&octets)?;
    serde_json::to_string_pretty(&pdu).map_err(|e| CtlError::Input(e.to_string()))
}

/// `smppctl pdu encode <JSON|->`: one PDU in JSON to hex.
pub fn encode(arg: &str) -> Result<String, CtlError> {
    let text = read_arg(arg)?;
    let pdu: Pdu =
        serde_json::from_str(&text).map_err(|e| CtlError::Input(format!("bad PDU JSON: {e}")))?;
    let bytes = pdu.to_bytes()?;
    Ok(hex::encode(&bytes))
}

/// Exactly one whole PDU, nothing before or after it.
fn decode_one(octets: &[u8]) -> Result<Pdu, CtlError> {
    let mut buf = BytesMut::from(octets);
    // A trace is read whole, so allow any length a u32 can say rather than the session's cap.
    let frame = Framer::new(u32::MAX as usize)
        .decode(&mut buf)?
        .ok_or_else(|| match octets.get(..4) {
            Some(&[a, b, c, d]) => CtlError::Input(format!(
                "incomplete PDU: command_length is {} but only {} octets were given",
                u32::from_be_bytes([a, b, c, d]),
                octets.len()
            )),
            _ => CtlError::Input(format!(
                "incomplete PDU: {} octets given, a header needs 16",
                octets.len()
            )),
        })?;
    if !buf.is_empty() {
        let (n, verb) = match buf.len() {
            1 => (1, "octet follows"),
            n => (n, "octets follow"),
        };
        return Err(CtlError::Input(format!(
            "{n} {verb} the PDU; give one PDU per call"
        )));
    }
    Ok(Pdu::decode(frame)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENQUIRE_LINK: &str = "00000010000000150000000000000007";

    #[test]
    fn decodes_to_spec_names() {
        let json: serde_json::Value = serde_json::from_str(&decode(ENQUIRE_LINK).unwrap()).unwrap();
        assert_eq!(json["command_id"], "enquire_link");
        assert_eq!(json["command_status"], "ESME_ROK");
        assert_eq!(json["sequence_number"], 7);
    }

    #[test]
    fn throttled_status_by_name_and_vendor_status_by_number() {
        let json = decode("0000001080000004000000580000000a").unwrap();
        assert!(json.contains("\"ESME_RTHROTTLED\""), "{json}");
        let json = decode("0000001080000004000004010000000a").unwrap();
        assert!(json.contains("\"command_status\": 1025"), "{json}");
    }

    #[test]
    fn encode_inverts_decode() {
        let hex = "000000498000000400000000000000023132330000";
        // A submit_sm_resp whose command_length is wrong is refused, not guessed at.
        assert!(decode(hex).is_err());
        let submit = concat!(
            "00000036000000040000000000000001", // header: 54 octets, submit_sm, seq 1
            "00",                               // service_type ""
            "0500",
            "41434d4500", // source 5/0 "ACME"
            "0101",
            "34343737303039303031323300", // destination 1/1 "447700900123"
            "000000",                     // esm_class, protocol_id, priority_flag
            "00",
            "00",       // schedule_delivery_time, validity_period
            "01000000", // registered_delivery .. sm_default_msg_id
            "05",
            "48656c6c6f", // sm_length 5, "Hello"
        );
        let json = decode(submit).unwrap();
        assert_eq!(encode(&json).unwrap(), submit);
    }

    #[test]
    fn trailing_octets_are_counted() {
        let err = decode(&format!("{ENQUIRE_LINK}0000")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "2 octets follow the PDU; give one PDU per call"
        );
    }

    #[test]
    fn bad_input_is_named() {
        assert_eq!(
            decode("00zz").unwrap_err().to_string(),
            "invalid hex character 'z' at position 2"
        );
        assert!(
            decode("0000001000000015")
                .unwrap_err()
                .to_string()
                .contains("incomplete")
        );
        let err = encode("{\"command_id\":\"submit_sm\"}").unwrap_err();
        assert!(err.to_string().starts_with("bad PDU JSON"), "{err}");
    }
}
