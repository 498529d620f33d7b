//! Text intelligence for Fanloop: counting length the way each platform does and the
//! compliance linter (Advertising-Law terms, industry packs, inducement and title-party
//! patterns, workspace word lists).
//!
//! Architecture invariant: no IO and no clock; dictionaries are embedded or passed in.
