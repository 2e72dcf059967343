"""videos: recordings and other videos, their captions, chapters and play counts

Revision ID: f5a1c0de7e01
Revises: c465206ed3a6
Create Date: 2026-11-29 11:41:53.109472

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f5a1c0de7e01'
down_revision = 'c465206ed3a6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('videos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('file_name', sa.String(length=64), nullable=True),
    sa.Column('file_type', sa.String(length=20), nullable=True),
    sa.Column('file_size', sa.Integer(), nullable=True),
    sa.Column('poster_name', sa.String(length=64), nullable=True),
    sa.Column('embed_url', sa.String(length=500), nullable=True),
    sa.Column('duration_s', sa.Integer(), nullable=False),
    sa.Column('transcript', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('plays', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=True),
    sa.Column('workshop_id', sa.Integer(), nullable=True),
    sa.Column('article_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_videos_article_id_articles'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_videos_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['process_id'], ['processes.id'], name=op.f('fk_videos_process_id_processes'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_videos_workshop_id_workshops'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_videos')),
    sa.UniqueConstraint('slug', name=op.f('uq_videos_slug'))
    )
    with op.batch_alter_table('videos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_videos_article_id'), ['article_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_videos_process_id'), ['process_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_videos_status'), ['status'], unique=False)
        batch_op.create_index('ix_videos_status_published_at', ['status', 'published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_videos_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('video_captions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('video_id', sa.Integer(), nullable=False),
    sa.Column('lang', sa.String(length=8), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('cues', sa.Integer(), nullable=False),
    sa.Column('ends_s', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['video_id'], ['videos.id'], name=op.f('fk_video_captions_video_id_videos'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_video_captions')),
    sa.UniqueConstraint('video_id', 'lang', name=op.f('uq_video_captions_video_id'))
    )
    with op.batch_alter_table('video_captions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_video_captions_video_id'), ['video_id'], unique=False)

    op.create_table('video_daily_plays',
    sa.Column('video_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('plays', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['video_id'], ['videos.id'], name=op.f('fk_video_daily_plays_video_id_videos'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('video_id', 'day', name=op.f('pk_video_daily_plays'))
    )
    with op.batch_alter_table('video_daily_plays', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_video_daily_plays_day'), ['day'], unique=False)

    op.create_table('video_plays',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('video_id', sa.Integer(), nullable=False),
    sa.Column('reader_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['video_id'], ['videos.id'], name=op.f('fk_video_plays_video_id_videos'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_video_plays')),
    sa.UniqueConstraint('reader_hash', name=op.f('uq_video_plays_reader_hash'))
    )
    with op.batch_alter_table('video_plays', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_video_plays_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_video_plays_video_id'), ['video_id'], unique=False)

    op.create_table('video_chapters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('video_id', sa.Integer(), nullable=False),
    sa.Column('starts_s', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_video_chapters_idea_id_ideas'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['video_id'], ['videos.id'], name=op.f('fk_video_chapters_video_id_videos'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_video_chapters'))
    )
    with op.batch_alter_table('video_chapters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_video_chapters_idea_id'), ['idea_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_video_chapters_video_id'), ['video_id'], unique=False)



def downgrade():
    with op.batch_alter_table('video_chapters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_video_chapters_video_id'))
        batch_op.drop_index(batch_op.f('ix_video_chapters_idea_id'))

    op.drop_table('video_chapters')
    with op.batch_alter_table('video_plays', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_video_plays_video_id'))
        batch_op.drop_index(batch_op.f('ix_video_plays_created_at'))

    op.drop_table('video_plays')
    with op.batch_alter_table('video_daily_plays', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_video_daily_plays_day'))

    op.drop_table('video_daily_plays')
    with op.batch_alter_table('video_captions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_video_captions_video_id'))

    op.drop_table('video_captions')
    with op.batch_alter_table('videos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_videos_workshop_id'))
        batch_op.drop_index('ix_videos_status_published_at')
        batch_op.drop_index(batch_op.f('ix_videos_status'))
        batch_op.drop_index(batch_op.f('ix_videos_process_id'))
        batch_op.drop_index(batch_op.f('ix_videos_article_id'))

    op.drop_table('videos')
