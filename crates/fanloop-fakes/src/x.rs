// Fake of the x API; owned by the connector's author.
