//! Typed ids, so a channel id can never be passed where a workspace id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }
    };
}

id_type!(
    /// A person who can sign in.
    UserId
);
id_type!(
    /// A brand: its own channels, team and settings. Tenants never see each other.
    WorkspaceId
);
id_type!(
    /// One account in the brand's matrix (a WeChat OA, a Weibo account, …).
    ChannelId
);
id_type!(
    /// A pending invitation to join a workspace.
    InvitationId
);
id_type!(
    /// A personal API token.
    TokenId
);
