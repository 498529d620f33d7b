// Fake of the mastodon API; owned by the connector's author.
