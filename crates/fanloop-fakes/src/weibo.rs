// Fake of the weibo API; owned by the connector's author.
