"""What several features share: labels, areas of authority, class helpers, dates.

Features never import each other; what two of them need lives here, below them.
"""
