//! The PDUs of SMPP 3.4 (§4), one file each, and the [`Pdu`] that holds any of them.

mod alert_notification;
mod bind;
mod bind_resp;
mod cancel_sm;
mod data_sm;
mod deliver_sm;
mod outbind;
mod query_sm;
mod query_sm_resp;
mod replace_sm;
mod submit_multi;
mod submit_multi_resp;
mod submit_sm;
mod submit_sm_resp;

pub use alert_notification::AlertNotification;
pub use bind::Bind;
pub use bind_resp::BindResp;
pub use cancel_sm::CancelSm;
pub use data_sm::{DataSm, DataSmResp};
pub use deliver_sm::{DeliverSm, DeliverSmResp};
pub use outbind::Outbind;
pub use query_sm::QuerySm;
pub use query_sm_resp::QuerySmResp;
pub use replace_sm::ReplaceSm;
pub use submit_multi::{Dest, SubmitMulti};
pub use submit_multi_resp::{SubmitMultiResp, UnsuccessSme};
pub use submit_sm::SubmitSm;
pub use submit_sm_resp::SubmitSmResp;

use crate::wire::{Put, Reader, Sizer};
use crate::{CommandId, CommandStatus, Error, Header, Octets};
use bytes::{Bytes, BytesMut};

/// How one body type is read, from a frame held in `B`. The PDU's name comes from the caller,
/// so that bodies shared by several PDUs (the three binds, submit_sm and deliver_sm) report
/// errors under the right name.
pub(crate) trait BodyDecode<B>: Sized {
    /// Reads the body's fields in wire order.
    fn decode(r: &mut Reader<'_, B>) -> Result<Self, Error>;
}

/// How one body type is written, whatever holds its octets.
pub(crate) trait BodyEncode {
    /// Checks every field against its limit and adds up the encoded length.
    fn size(&self, s: &mut Sizer) -> Result<(), Error>;
    /// Writes the fields in wire order; [`BodyEncode::size`] has accepted them.
    fn write(&self, dst: &mut BytesMut);
}

/// One SMPP PDU: the header's status and sequence number, and the typed body. `command_id`
/// and `command_length` are derived from the body when encoding.
///
/// `B` holds the octets of the variable-length fields: [`Bytes`] (the default; see
/// [`Pdu::decode`]) or `&[u8]` borrowed from the read buffer (see [`Pdu::decode_borrowed`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(bound(serialize = "B: AsRef<[u8]>", deserialize = "B: From<Bytes> + Default"))
)]
pub struct Pdu<B: AsRef<[u8]> = Bytes> {
    /// The outcome (responses); [`CommandStatus::ESME_ROK`] in requests.
    #[cfg_attr(feature = "serde", serde(default))]
    pub command_status: CommandStatus,
    /// Correlates a response with its request: 1..=0x7FFFFFFF.
    pub sequence_number: u32,
    /// The operation and its fields.
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub body: Body<B>,
}

macro_rules! bodies {
    (
        with_body { $( $(#[$doc:meta])* $variant:ident($ty:ident) = $id:ident, )* }
        header_only { $( $(#[$hdoc:meta])* $hvariant:ident = $hid:ident, )* }
    ) => {
        /// The body of a PDU, by operation. `B` as for [`Pdu`].
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[cfg_attr(
            feature = "serde",
            derive(serde::Serialize, serde::Deserialize),
            serde(
                tag = "command_id",
                rename_all = "snake_case",
                bound(serialize = "B: AsRef<[u8]>", deserialize = "B: From<Bytes> + Default")
            )
        )]
        #[allow(clippy::large_enum_variant, reason = "boxing would cost an allocation per PDU")]
        pub enum Body<B: AsRef<[u8]> = Bytes> {
            $( $(#[$doc])* $variant($ty<B>), )*
            $( $(#[$hdoc])* $hvariant, )*
        }

        impl<B: AsRef<[u8]>> Body<B> {
            /// The `command_id` of this body.
            pub fn command_id(&self) -> CommandId {
                match self {
                    $( Body::$variant(_) => CommandId::$id, )*
                    $( Body::$hvariant => CommandId::$hid, )*
                }
            }
        }

        impl<B: Octets> Body<B> {
            /// The same body with its octets as [`Bytes`] (copied if they are borrowed).
            pub fn into_owned(self) -> Body {
                match self {
                    $( Body::$variant(b) => Body::$variant(b.into_owned()), )*
                    $( Body::$hvariant => Body::$hvariant, )*
                }
            }

            /// The whole PDU with this body, built here so that the decoded body is moved
            /// once: moving it through a `Result<Body, _>` into the `Pdu` copied its 250 octets
            /// once more. `always`: out of line, it returned the `Pdu` through a temporary that
            /// its callers then copied.
            #[inline(always)]
            fn decode_pdu(frame: &B, header: Header) -> Result<Pdu<B>, Error> {
                let pdu = |body| Pdu {
                    command_status: header.command_status,
                    sequence_number: header.sequence_number,
                    body,
                };
                match header.command_id {
                    $( CommandId::$id => {
                        let mut r = Reader::new(frame, const { pdu_name(CommandId::$id) });
                        let body = <$ty<B> as BodyDecode<B>>::decode(&mut r)?;
                        r.finish()?;
                        Ok(pdu(Body::$variant(body)))
                    } )*
                    $( CommandId::$hid => {
                        // §4: these PDUs are a header with no body.
                        Reader::new(frame, const { pdu_name(CommandId::$hid) }).finish()?;
                        Ok(pdu(Body::$hvariant))
                    } )*
                    _ => Err(Error::UnknownCommand { header }),
                }
            }
        }

        impl<B: AsRef<[u8]>> Body<B> {
            #[inline]
            fn size(&self) -> Result<usize, Error> {
                match self {
                    $( Body::$variant(b) => {
                        let mut s = Sizer::new(const { pdu_name(CommandId::$id) });
                        b.size(&mut s)?;
                        Ok(s.len)
                    } )*
                    $( Body::$hvariant => Ok(0), )*
                }
            }

            #[inline]
            fn write(&self, dst: &mut BytesMut) {
                match self {
                    $( Body::$variant(b) => b.write(dst), )*
                    $( Body::$hvariant => {}, )*
                }
            }
        }
    };
}

bodies! {
    with_body {
        /// bind_transmitter (§4.1.1).
        BindTransmitter(Bind) = BIND_TRANSMITTER,
        /// bind_receiver (§4.1.3).
        BindReceiver(Bind) = BIND_RECEIVER,
        /// bind_transceiver (§4.1.5).
        BindTransceiver(Bind) = BIND_TRANSCEIVER,
        /// bind_transmitter_resp (§4.1.2).
        BindTransmitterResp(BindResp) = BIND_TRANSMITTER_RESP,
        /// bind_receiver_resp (§4.1.4).
        BindReceiverResp(BindResp) = BIND_RECEIVER_RESP,
        /// bind_transceiver_resp (§4.1.6).
        BindTransceiverResp(BindResp) = BIND_TRANSCEIVER_RESP,
        /// outbind (§4.1.7).
        Outbind(Outbind) = OUTBIND,
        /// submit_sm (§4.4.1).
        SubmitSm(SubmitSm) = SUBMIT_SM,
        /// submit_sm_resp (§4.4.2).
        SubmitSmResp(SubmitSmResp) = SUBMIT_SM_RESP,
        /// submit_multi (§4.5.1).
        SubmitMulti(SubmitMulti) = SUBMIT_MULTI,
        /// submit_multi_resp (§4.5.2).
        SubmitMultiResp(SubmitMultiResp) = SUBMIT_MULTI_RESP,
        /// deliver_sm (§4.6.1).
        DeliverSm(DeliverSm) = DELIVER_SM,
        /// deliver_sm_resp (§4.6.2).
        DeliverSmResp(DeliverSmResp) = DELIVER_SM_RESP,
        /// data_sm (§4.7.1).
        DataSm(DataSm) = DATA_SM,
        /// data_sm_resp (§4.7.2).
        DataSmResp(DataSmResp) = DATA_SM_RESP,
        /// query_sm (§4.8.1).
        QuerySm(QuerySm) = QUERY_SM,
        /// query_sm_resp (§4.8.2).
        QuerySmResp(QuerySmResp) = QUERY_SM_RESP,
        /// cancel_sm (§4.9.1).
        CancelSm(CancelSm) = CANCEL_SM,
        /// replace_sm (§4.10.1).
        ReplaceSm(ReplaceSm) = REPLACE_SM,
        /// alert_notification (§4.12.1).
        AlertNotification(AlertNotification) = ALERT_NOTIFICATION,
    }
    header_only {
        /// enquire_link (§4.11.1).
        EnquireLink = ENQUIRE_LINK,
        /// enquire_link_resp (§4.11.2).
        EnquireLinkResp = ENQUIRE_LINK_RESP,
        /// unbind (§4.2.1).
        Unbind = UNBIND,
        /// unbind_resp (§4.2.2).
        UnbindResp = UNBIND_RESP,
        /// generic_nack (§4.3.1).
        GenericNack = GENERIC_NACK,
        /// cancel_sm_resp (§4.9.2).
        CancelSmResp = CANCEL_SM_RESP,
        /// replace_sm_resp (§4.10.2).
        ReplaceSmResp = REPLACE_SM_RESP,
    }
}

/// The spec name of a known command, for errors.
const fn pdu_name(id: CommandId) -> &'static str {
    match id.name() {
        Some(name) => name,
        None => "pdu",
    }
}

impl Pdu {
    /// A request (or any PDU) with status 0.
    pub fn new(sequence_number: u32, body: Body) -> Pdu {
        Pdu {
            command_status: CommandStatus::ESME_ROK,
            sequence_number,
            body,
        }
    }

    /// A PDU with the given status.
    pub fn with_status(sequence_number: u32, command_status: CommandStatus, body: Body) -> Pdu {
        Pdu {
            command_status,
            sequence_number,
            body,
        }
    }

    /// Decodes one whole PDU, as split off by [`crate::Framer::decode`]. Fields are
    /// reference-counted slices of `frame`: the value owns them, outlives the read buffer and
    /// can be sent to another task.
    pub fn decode(frame: Bytes) -> Result<Pdu, Error> {
        Pdu::decode_in(&frame)
    }
}

impl<'a> Pdu<&'a [u8]> {
    /// Decodes one whole PDU from `frame` (its length as given by [`crate::Framer::peek`]),
    /// with every field a `&[u8]` borrowed from it: no reference count, no allocation, the
    /// same checks and errors as [`Pdu::decode`]. The value lives as long as the borrow of the
    /// read buffer; [`Pdu::into_owned`] makes an owned copy of what must outlive it.
    pub fn decode_borrowed(frame: &'a [u8]) -> Result<Self, Error> {
        Pdu::decode_in(&frame)
    }
}

impl<B: Octets> Pdu<B> {
    /// The one decoder behind [`Pdu::decode`] and [`Pdu::decode_borrowed`].
    #[inline(always)]
    fn decode_in(frame: &B) -> Result<Self, Error> {
        let octets = frame.as_ref();
        let Some(head) = octets.first_chunk::<{ Header::LEN }>() else {
            return Err(short_header(octets.len()));
        };
        let header = Header::from_bytes(head);
        // The frame is the whole PDU: command_length must say so.
        if header.command_length as usize != octets.len() {
            return Err(length_mismatch(header, octets.len()));
        }
        Body::decode_pdu(frame, header)
    }

    /// The same PDU with its octets as [`Bytes`]: a move for an owned PDU, a copy of each
    /// non-empty field of a borrowed one.
    pub fn into_owned(self) -> Pdu {
        Pdu {
            command_status: self.command_status,
            sequence_number: self.sequence_number,
            body: self.body.into_owned(),
        }
    }
}

#[cold]
#[inline(never)]
fn short_header(len: usize) -> Error {
    Error::Field {
        header: Header {
            command_length: len as u32,
            command_id: CommandId(0),
            command_status: CommandStatus(0),
            sequence_number: 0,
        },
        pdu: "pdu",
        field: "header",
        offset: 0,
        problem: crate::Problem::Truncated {
            needed: Header::LEN - len,
        },
    }
}

#[cold]
#[inline(never)]
fn length_mismatch(header: Header, len: usize) -> Error {
    Error::Field {
        header,
        pdu: "pdu",
        field: "command_length",
        offset: 0,
        problem: crate::Problem::LengthPastBody {
            length: header.command_length as usize,
            available: len,
        },
    }
}

impl<B: AsRef<[u8]>> Pdu<B> {
    /// The `command_id`, derived from the body.
    pub fn command_id(&self) -> CommandId {
        self.body.command_id()
    }
}

impl<B: AsRef<[u8]>> Pdu<B> {
    /// The encoded length, `command_length`, after checking every field against its limit.
    pub fn encoded_len(&self) -> Result<usize, Error> {
        Ok(Header::LEN + self.body.size()?)
    }

    /// Appends the encoded PDU to `dst`. Nothing is written if a field is out of its limits.
    pub fn encode(&self, dst: &mut BytesMut) -> Result<(), Error> {
        let length = self.encoded_len()?;
        let command_length = u32::try_from(length).map_err(|_| Error::Encode {
            pdu: "pdu",
            field: "command_length",
            problem: crate::Problem::TooLong {
                length,
                max: u32::MAX as usize,
            },
        })?;
        dst.reserve(length);
        // One append for the header rather than four.
        let mut header = [0; Header::LEN];
        header[..4].copy_from_slice(&command_length.to_be_bytes());
        header[4..8].copy_from_slice(&self.command_id().0.to_be_bytes());
        header[8..12].copy_from_slice(&self.command_status.0.to_be_bytes());
        header[12..].copy_from_slice(&self.sequence_number.to_be_bytes());
        dst.put_slice(&header);
        self.body.write(dst);
        Ok(())
    }

    /// The encoded PDU as its own buffer.
    pub fn to_bytes(&self) -> Result<Bytes, Error> {
        let mut dst = BytesMut::new();
        self.encode(&mut dst)?;
        Ok(dst.freeze())
    }
}
