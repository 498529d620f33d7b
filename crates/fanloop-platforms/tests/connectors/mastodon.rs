// Tests of the mastodon connector.
