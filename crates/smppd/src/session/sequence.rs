//! Sequence numbers (SMPP 3.4 §3.2): 0x00000001..=0x7FFFFFFF, allocated monotonically and
//! wrapping back to 1.

/// The largest sequence number a request may carry.
pub const MAX_SEQUENCE: u32 = 0x7FFF_FFFF;

/// Hands out request sequence numbers in order, wrapping within 1..=0x7FFFFFFF.
#[derive(Debug, Clone)]
pub struct Sequence {
    next: u32,
}

impl Default for Sequence {
    fn default() -> Self {
        Sequence { next: 1 }
    }
}

impl Sequence {
    /// A counter whose next number is `next` (clamped into the legal range).
    pub fn starting_at(next: u32) -> Self {
        Sequence {
            next: next.clamp(1, MAX_SEQUENCE),
        }
    }

    /// The next sequence number.
    pub fn next_number(&mut self) -> u32 {
        let n = self.next;
        self.next = if n >= MAX_SEQUENCE { 1 } else { n + 1 };
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_from_the_largest_back_to_one() {
        let mut seq = Sequence::starting_at(MAX_SEQUENCE - 1);
        assert_eq!(seq.next_number(), 0x7FFF_FFFE);
        assert_eq!(seq.next_number(), 0x7FFF_FFFF);
        assert_eq!(seq.next_number(), 1);
        assert_eq!(Sequence::starting_at(0).next_number(), 1);
    }
}
