//! `smppctl pdu ...`: decode and encode single PDUs.
