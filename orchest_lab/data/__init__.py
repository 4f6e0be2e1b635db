"""Data passing on the server side: step fingerprints, the record of each step's last success,
the stored outputs of pipelines (listing, memory used, clean-up) and what runs do with them.
The formats themselves belong to the SDK (`orchest_lab/sdk/orchest/`)."""
