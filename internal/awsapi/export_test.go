package awsapi

// SetReplayMax gives v's own replay cache room for n signatures.
func SetReplayMax(v *SigV4, n int) { v.v.seen = newReplayCache(n) }
