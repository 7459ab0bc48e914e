"""Record linkage for Vietnamese people data: one engine (`engine.link`, `engine.duplicates`)
that the reconciliation pages, the duplicate finder and `laodong reconcile` all use."""
