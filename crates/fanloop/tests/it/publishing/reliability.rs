// The reliability tests.
