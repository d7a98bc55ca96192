"""Campaigns: their definitions (config), boolean keyword queries (query) and article matching (matching)."""

from pantau.core.campaign_query import QueryError, parse_query
from pantau.core.campaigns import Campaign, CampaignConfigError, load_campaigns, parse_campaigns
from pipeline.campaigns.matching import ArticleForMatching, CampaignDecision, CampaignMatcher

__all__ = [
    "ArticleForMatching",
    "Campaign",
    "CampaignConfigError",
    "CampaignDecision",
    "CampaignMatcher",
    "QueryError",
    "load_campaigns",
    "parse_campaigns",
    "parse_query",
]
