// Fake of the telegram API; owned by the connector's author.
