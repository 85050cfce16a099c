"""Benchmark data: `newsrank bench populate --posts N` fills the database with N realistic posts.

text.py      the sample articles' titles and sentences, analyzed by Kiwi once (`Generator`)
plan.py      pure: outlets, the publishing timeline, and batches of posts grouped into stories
populate.py  writes the batches (COPY on PostgreSQL, executemany on SQLite), resumably
"""
