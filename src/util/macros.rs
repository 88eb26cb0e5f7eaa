//! `enum_with_unknown!`: a C-like enum over a wire integer that keeps values
//! it does not know as `Unknown(n)`, so decoding never fails on a reserved
//! code and re-encoding gives the same bits. Names serialize in snake_case;
//! unknown values as `"unknown_<n>"`.

#[macro_export]
macro_rules! enum_with_unknown {
    (
        $(#[$meta:meta])*
        pub enum $name:ident($ty:ty) {
            $( $(#[$vmeta:meta])* $variant:ident = $value:expr => $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of ridscope does not know (reserved, private).
            Unknown($ty),
        }

        impl ::core::convert::From<$ty> for $name {
            fn from(v: $ty) -> Self {
                match v {
                    $( x if x == $value => $name::$variant, )+
                    other => $name::Unknown(other),
                }
            }
        }

        impl ::core::convert::From<$name> for $ty {
            fn from(v: $name) -> Self {
                match v {
                    $( $name::$variant => $value, )+
                    $name::Unknown(other) => other,
                }
            }
        }

        impl $name {
            /// All named variants (for property tests and help texts).
            pub const KNOWN: &'static [$name] = &[ $( $name::$variant ),+ ];

            /// The snake_case name, or `None` for an unknown value.
            pub fn name(self) -> Option<&'static str> {
                match self {
                    $( $name::$variant => Some($text), )+
                    $name::Unknown(_) => None,
                }
            }

            /// The wire value.
            pub fn value(self) -> $ty {
                <$ty>::from(self)
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match self.name() {
                    Some(n) => f.write_str(n),
                    None => write!(f, "unknown_{}", self.value()),
                }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self.name() {
                    Some(n) => s.serialize_str(n),
                    None => s.collect_str(self),
                }
            }
        }
    };
}

/// `wire_view!`: a smoltcp-style zero-copy view over a byte buffer with
/// typed getters and setters at fixed offsets, so every byte offset of a
/// structure is written down once.
///
/// ```ignore
/// wire_view! {
///     /// An example header.
///     pub struct HeaderView, min_len = 4;
///     kind / set_kind: u8 @ 0;
///     length / set_length: u16le @ 2;
///     name / set_name: bytes[4] @ 4;
/// }
/// ```
/// Kinds: `u8 i8 u16le i16le u32le i32le u64le u16be i16be u32be i32be bytes[N]`.
#[macro_export]
macro_rules! wire_view {
    (
        $(#[$meta:meta])*
        pub struct $name:ident, min_len = $min:expr;
        $( $(#[$fmeta:meta])* $get:ident / $set:ident : $kind:ident $([$n:expr])? @ $off:expr; )*
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name<T: AsRef<[u8]>> {
            buffer: T,
        }

        #[allow(dead_code)]
        impl<T: AsRef<[u8]>> $name<T> {
            /// Smallest buffer the view accepts.
            pub const MIN_LEN: usize = $min;

            /// Wraps a buffer without checking its length; accessors may
            /// panic on a short buffer, so only use it on buffers already
            /// checked (or built) to be at least `MIN_LEN` long.
            pub fn new_unchecked(buffer: T) -> Self {
                $name { buffer }
            }

            /// Wraps a buffer after checking it holds at least `MIN_LEN` bytes.
            pub fn new_checked(buffer: T) -> Result<Self, $crate::error::DecodeError> {
                let have = buffer.as_ref().len();
                if have < $min {
                    return Err($crate::error::DecodeError::length(stringify!($name), $min, have));
                }
                Ok($name { buffer })
            }

            pub fn into_inner(self) -> T {
                self.buffer
            }

            pub fn as_bytes(&self) -> &[u8] {
                self.buffer.as_ref()
            }

            $(
                $(#[$fmeta])*
                #[inline]
                pub fn $get(&self) -> $crate::wire_view!(@ty $kind $([$n])?) {
                    $crate::wire_view!(@get self.buffer.as_ref(), $kind $([$n])?, $off)
                }
            )*
        }

        #[allow(dead_code)]
        impl<T: AsRef<[u8]> + AsMut<[u8]>> $name<T> {
            $(
                #[inline]
                pub fn $set(&mut self, v: $crate::wire_view!(@ty $kind $([$n])?)) {
                    $crate::wire_view!(@set self.buffer.as_mut(), $kind $([$n])?, $off, v)
                }
            )*
        }
    };

    (@ty u8) => { u8 };
    (@ty i8) => { i8 };
    (@ty u16le) => { u16 };
    (@ty i16le) => { i16 };
    (@ty u32le) => { u32 };
    (@ty i32le) => { i32 };
    (@ty u64le) => { u64 };
    (@ty u16be) => { u16 };
    (@ty i16be) => { i16 };
    (@ty u32be) => { u32 };
    (@ty i32be) => { i32 };
    (@ty bytes [$n:expr]) => { &[u8; $n] };

    (@get $b:expr, u8, $o:expr) => { $b[$o] };
    (@get $b:expr, i8, $o:expr) => { $b[$o] as i8 };
    (@get $b:expr, u16le, $o:expr) => { u16::from_le_bytes([$b[$o], $b[$o + 1]]) };
    (@get $b:expr, i16le, $o:expr) => { i16::from_le_bytes([$b[$o], $b[$o + 1]]) };
    (@get $b:expr, u32le, $o:expr) => { u32::from_le_bytes([$b[$o], $b[$o + 1], $b[$o + 2], $b[$o + 3]]) };
    (@get $b:expr, i32le, $o:expr) => { i32::from_le_bytes([$b[$o], $b[$o + 1], $b[$o + 2], $b[$o + 3]]) };
    (@get $b:expr, u64le, $o:expr) => {{
        let mut a = [0u8; 8];
        a.copy_from_slice(&$b[$o..$o + 8]);
        u64::from_le_bytes(a)
    }};
    (@get $b:expr, u16be, $o:expr) => { u16::from_be_bytes([$b[$o], $b[$o + 1]]) };
    (@get $b:expr, i16be, $o:expr) => { i16::from_be_bytes([$b[$o], $b[$o + 1]]) };
    (@get $b:expr, u32be, $o:expr) => { u32::from_be_bytes([$b[$o], $b[$o + 1], $b[$o + 2], $b[$o + 3]]) };
    (@get $b:expr, i32be, $o:expr) => { i32::from_be_bytes([$b[$o], $b[$o + 1], $b[$o + 2], $b[$o + 3]]) };
    (@get $b:expr, bytes [$n:expr], $o:expr) => {{
        let s: &[u8; $n] = match $b[$o..$o + $n].try_into() {
            Ok(a) => a,
            Err(_) => unreachable!("slice of length N"),
        };
        s
    }};

    (@set $b:expr, u8, $o:expr, $v:expr) => { $b[$o] = $v };
    (@set $b:expr, i8, $o:expr, $v:expr) => { $b[$o] = $v as u8 };
    (@set $b:expr, u16le, $o:expr, $v:expr) => { $b[$o..$o + 2].copy_from_slice(&$v.to_le_bytes()) };
    (@set $b:expr, i16le, $o:expr, $v:expr) => { $b[$o..$o + 2].copy_from_slice(&$v.to_le_bytes()) };
    (@set $b:expr, u32le, $o:expr, $v:expr) => { $b[$o..$o + 4].copy_from_slice(&$v.to_le_bytes()) };
    (@set $b:expr, i32le, $o:expr, $v:expr) => { $b[$o..$o + 4].copy_from_slice(&$v.to_le_bytes()) };
    (@set $b:expr, u64le, $o:expr, $v:expr) => { $b[$o..$o + 8].copy_from_slice(&$v.to_le_bytes()) };
    (@set $b:expr, u16be, $o:expr, $v:expr) => { $b[$o..$o + 2].copy_from_slice(&$v.to_be_bytes()) };
    (@set $b:expr, i16be, $o:expr, $v:expr) => { $b[$o..$o + 2].copy_from_slice(&$v.to_be_bytes()) };
    (@set $b:expr, u32be, $o:expr, $v:expr) => { $b[$o..$o + 4].copy_from_slice(&$v.to_be_bytes()) };
    (@set $b:expr, i32be, $o:expr, $v:expr) => { $b[$o..$o + 4].copy_from_slice(&$v.to_be_bytes()) };
    (@set $b:expr, bytes [$n:expr], $o:expr, $v:expr) => { $b[$o..$o + $n].copy_from_slice(&$v[..]) };
}
