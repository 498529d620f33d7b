// Fake of the wechat API; owned by the connector's author.
