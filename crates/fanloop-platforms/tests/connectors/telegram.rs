// Tests of the telegram connector.
