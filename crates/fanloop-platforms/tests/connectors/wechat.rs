// Tests of the wechat connector.
