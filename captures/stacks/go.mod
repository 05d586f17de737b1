module tlstrace/captures/stacks

go 1.19
