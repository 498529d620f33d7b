// Tests of the bluesky connector.
