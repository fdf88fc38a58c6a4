from django.urls import path

from . import feeds, search_views, views

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("articles/", views.ArticleListView.as_view(), name="list"),
    path("articles/<slug:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    path("topics/", views.TopicListView.as_view(), name="topics"),
    path("topics/<slug:slug>/", views.TopicView.as_view(), name="topic"),
    path("authors/<slug:slug>/", views.AuthorView.as_view(), name="author"),
    # Discovery: search and feeds.
    path("search/", search_views.SearchView.as_view(), name="search"),
    path("feed/", feeds.ArticleFeed(), name="feed"),
    path("feed/atom/", feeds.SiteAtomFeed(), name="feed_atom"),
    path("topics/<slug:slug>/feed/", feeds.TopicFeed(), name="topic_feed"),
    path(
        "topics/<slug:slug>/feed/atom/", feeds.TopicAtomFeed(), name="topic_feed_atom"
    ),
    path("authors/<slug:slug>/feed/", feeds.AuthorFeed(), name="author_feed"),
    path(
        "authors/<slug:slug>/feed/atom/",
        feeds.AuthorAtomFeed(),
        name="author_feed_atom",
    ),
]
