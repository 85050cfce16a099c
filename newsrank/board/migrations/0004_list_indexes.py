"""Partial indexes over the visible posts, one per kind of list, that carry the outlet column
so that a list page is read from one index (board/lists.py, tests/board/test_queries.py)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('board', '0003_story'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='post',
            name='post_list',
        ),
        migrations.RemoveIndex(
            model_name='post',
            name='post_section_list',
        ),
        migrations.RemoveIndex(
            model_name='post',
            name='post_outlet_list',
        ),
        migrations.AddIndex(
            model_name='post',
            index=models.Index(condition=models.Q(('hidden', False)), fields=['number', 'outlet'], name='post_listed'),
        ),
        migrations.AddIndex(
            model_name='post',
            index=models.Index(condition=models.Q(('hidden', False)), fields=['section', 'number', 'outlet'], name='post_section_listed'),
        ),
        migrations.AddIndex(
            model_name='post',
            index=models.Index(condition=models.Q(('hidden', False)), fields=['outlet', 'number'], name='post_outlet_listed'),
        ),
        migrations.AddIndex(
            model_name='post',
            index=models.Index(condition=models.Q(('hidden', True)), fields=['number'], name='post_hidden'),
        ),
    ]
