"""Portal filing (issue 11): the office's public page and poster, the owner's own filing with photos, the
receipt, and tracking by a phone proven with a one-time SMS code. An app of its own (label
`portal_filing`) for its one model, the phone proofs."""
