// Owned by the connector's author; see lib.rs.
