"""Local media: probing, sniffing, opened-once inputs, confined outputs and downloads."""
