// Tests of the weibo connector.
