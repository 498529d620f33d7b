// Fake of the bluesky API; owned by the connector's author.
