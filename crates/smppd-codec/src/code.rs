//! The macro behind the open code spaces (`command_id`, `command_status`, TLV tags): a newtype
//! over the wire integer with a named constant per spec value, so that values the spec does not
//! name stay representable (a vendor status, a future TLV) and are never an error.

/// Declares the named constants of a code-space newtype and its name lookups, from one table.
macro_rules! code_space {
    ($ty:ident : $int:ty { $( $(#[$doc:meta])* $name:ident = $value:literal => $text:literal, )* }) => {
        impl $ty {
            $( $(#[$doc])* pub const $name: $ty = $ty($value); )*

            /// Every value the specification names, in table order.
            pub const ALL: &'static [$ty] = &[ $( $ty($value), )* ];

            /// The specification's name for this value, if it has one.
            pub const fn name(self) -> Option<&'static str> {
                match self.0 {
                    $( $value => Some($text), )*
                    _ => None,
                }
            }

            /// The value whose specification name is `name` (case-insensitive).
            pub fn from_name(name: &str) -> Option<$ty> {
                $( if name.eq_ignore_ascii_case($text) { return Some($ty($value)); } )*
                None
            }
        }

        impl From<$int> for $ty {
            fn from(value: $int) -> Self {
                $ty(value)
            }
        }

        impl From<$ty> for $int {
            fn from(value: $ty) -> Self {
                value.0
            }
        }
    };
}

pub(crate) use code_space;
