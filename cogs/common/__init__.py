"""What the command cogs share: input transformers, the permission check, error replies."""
