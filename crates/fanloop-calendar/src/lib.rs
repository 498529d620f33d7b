//! The hot-spot calendar (热点日历): public holidays and make-up workdays from data files,
//! lunar festivals and the 24 solar terms computed for 1900–2100, shopping and seasonal
//! nodes, and international days, each with a lead time.
//!
//! Architecture invariant: no IO and no clock; holiday data is embedded at build time.
