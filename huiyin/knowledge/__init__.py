"""The knowledge base (知识库): articles, their review and versions, Chinese search; the bot answers from it."""
