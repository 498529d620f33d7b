//! The rules: dictionary terms found by the automaton, and per-platform checks read
//! from the one platform limits table in `fanloop-domain`.

pub(crate) mod platform;
pub(crate) mod terms;
