"""The jobs floor: the only way this library spends (prepare -> authorize -> submit).

```
plan.py       PreparedJob: each local input opened once; hashed, sniffed, probed, priced from that descriptor;
              the fingerprint (content, not paths) and the key derived from it
approval.py   Approval and the Approver protocol; sealed, single-use approval tokens (ApprovalSeal)
authority.py  SpendAuthority: dedupe, daily caps, approval consumed and the record, in ONE store transaction
create.py     submit exactly once: authorize, send under the derived key, record what happened
```

Front-ends (the CLI, the MCP tools, a Python caller) are adapters: they parse, ``prepare``,
authorize through their ``Approver`` (a terminal question, an MCP elicitation or token, a
library policy), submit and render. None of them assembles the spend sequence itself.
"""
