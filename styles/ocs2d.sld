<?xml version="1.0" encoding="UTF-8"?>
<!-- OCS2D / OCS GE land cover by its "couverture" class (code_cs), in the colours of the CNIG
     OCS GE nomenclature as IGN publishes them; classes outside the nomenclature are drawn grey.
     CS2.2.2 checked against IGN's ocsge_couverture.json (data.geopf.fr vector-tile styles):
     rgb(204,255,204).
     SLD 1.1 / SE 1.1, as QGIS writes a categorized style. -->
<StyledLayerDescriptor version="1.1.0" xmlns="http://www.opengis.net/sld" xmlns:se="http://www.opengis.net/se" xmlns:ogc="http://www.opengis.net/ogc">
  <NamedLayer>
    <se:Name>ocs2d</se:Name>
    <UserStyle>
      <se:Name>ocs2d_couverture</se:Name>
      <se:Description><se:Title>OCS2D - couverture du sol (nomenclature OCS GE)</se:Title></se:Description>
      <se:FeatureTypeStyle>
        <se:Rule>
          <se:Name>CS1.1.1.1</se:Name>
          <se:Description><se:Title>CS1.1.1.1 - Zones bâties</se:Title></se:Description>
          <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS1.1.1.1</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
          <se:PolygonSymbolizer>
            <se:Fill><se:SvgParameter name="fill">#ff377a</se:SvgParameter></se:Fill>
            <se:Stroke><se:SvgParameter name="stroke">#232323</se:SvgParameter><se:SvgParameter name="stroke-opacity">0.3</se:SvgParameter><se:SvgParameter name="stroke-width">0.3</se:SvgParameter></se:Stroke>
          </se:PolygonSymbolizer>
        </se:Rule>
        <se:Rule>
          <se:Name>CS1.1.1.2</se:Name>
          <se:Description><se:Title>CS1.1.1.2 - Zones non bâties</se:Title></se:Description>
          <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS1.1.1.2</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
          <se:PolygonSymbolizer>
            <se:Fill><se:SvgParameter name="fill">#ff91ff</se:SvgParameter></se:Fill>
            <se:Stroke><se:SvgParameter name="stroke">#232323</se:SvgParameter><se:SvgParameter name="stroke-opacity">0.3</se:SvgParameter><se:SvgParameter name="stroke-width">0.3</se:SvgParameter></se:Stroke>
          </se:PolygonSymbolizer>
        </se:Rule>
        <se:Rule>
          <se:Name>CS1.1.2.1</se:Name>
          <se:Description><se:Title>CS1.1.2.1 - Zones à matériaux minéraux</se:Title></se:Description>
          <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS1.1.2.1</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
          <se:PolygonSymbolizer>
            <se:Fill><se:SvgParameter name="fill">#ffff99</se:SvgParameter></se:Fill>
            <se:Stroke><se:SvgParameter name="stroke">#232323</se:SvgParameter><se:SvgParameter name="stroke-opacity">0.3</se:SvgParameter><se:SvgParameter name="stroke-width">0.3</se:SvgParameter></se:Stroke>
          </se:PolygonSymbolizer>
        </se:Rule>
        <se:Rule>
          <se:Name>CS1.1.2.2</se:Name>
          <se:Description><se:Title>CS1.1.2.2 - Zones à autres matériaux composites</se:Title></se:Description>
          <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS1.1.2.2</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
          <se:PolygonSymbolizer>
            <se:Fill><se:SvgParameter name="fill">#a64d00</se:SvgParameter></se:Fill>
            <se:Stroke><se:SvgParameter name="stroke">#232323</se:SvgParameter><se:SvgParameter name="stroke-opacity">0.3</se:SvgParameter><se:SvgParameter name="stroke-width">0.3</se:SvgParameter></se:Stroke>
          </se:PolygonSymbolizer>
        </se:Rule>
        <se:Rule>
          <se:Name>CS1.2.1</se:Name>
          <se:Description><se:Title>CS1.2.1 - Sols nus</se:Title></se:Description>
          <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS1.2.1</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
          <se:PolygonSymbolizer>
            <se:Fill><se:SvgParameter name="fill">#cccccc</se:SvgParameter></se:Fill>
            <se:Stroke><se:SvgParameter name="stroke">#232323</se:SvgParameter><se:SvgParameter name="stroke-opacity">0.3</se:SvgParameter><se:SvgParameter name="stroke-width">0.3</se:SvgParameter></se:Stroke>
          </se:PolygonSymbolizer>
        </se:Rule>
        <se:Rule>
          <se:Name>CS1.2.2</se:Name>
          <se:Description><se:Title>CS1.2.2 - Surfaces d'eau</se:Title></se:Description>
          <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS1.2.2</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
          <se:PolygonSymbolizer>
            <se:Fill><se:SvgParameter name="fill">#00ccf2</se:SvgParameter></se:Fill>
            <se:Stroke><se:SvgParameter name="stroke">#232323</se:SvgParameter><se:SvgParameter name="stroke-opacity">0.3</se:SvgParameter><se:SvgParameter name="stroke-width">0.3</se:SvgParameter></se:Stroke>
          </se:PolygonSymbolizer>
        </se:Rule>
        <se:Rule>
          <se:Name>CS1.2.3</se:Name>
          <se:Description><se:Title>CS1.2.3 - Névés et glaciers</se:Title></se:Description>
          <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS1.2.3</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
          <se:PolygonSymbolizer>
            <se:Fill><se:SvgParameter name="fill">#a6e6cc</se:SvgParameter></se:Fill>
            <se:Stroke><se:SvgParameter name="stroke">#232323</se:SvgParameter><se:SvgParameter name="stroke-opacity">0.3</se:SvgParameter><se:SvgParameter name="stroke-width">0.3</se:SvgParameter></se:Stroke>
          </se:PolygonSymbolizer>
        </se:Rule>
        <se:Rule>
          <se:Name>CS2.1.1.1</se:Name>
          <se:Description><se:Title>CS2.1.1.1 - Peuplement de feuillus</se:Title></se:Description>
          <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS2.1.1.1</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
          <se:PolygonSymbolizer>
            <se:Fill><se:SvgParameter name="fill">#80ff00</se:SvgParameter></se:Fill>
            <se:Stroke><se:SvgParameter name="stroke">#232323</se:SvgParameter><se:SvgParameter name="stroke-opacity">0.3</se:SvgParameter><se:SvgParameter name="stroke-width">0.3</se:SvgParameter></se:Stroke>
          </se:PolygonSymbolizer>
        </se:Rule>
        <se:Rule>
          <se:Name>CS2.1.1.2</se:Name>
          <se:Description><se:Title>CS2.1.1.2 - Peuplement de conifères</se:Title></se:Description>
          <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS2.1.1.2</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
          <se:PolygonSymbolizer>
            <se:Fill><se:SvgParameter name="fill">#00a600</se:SvgParameter></se:Fill>
            <se:Stroke><se:SvgParameter name="stroke">#232323</se:SvgParameter><se:SvgParameter name="stroke-opacity">0.3</se:SvgParameter><se:SvgParameter name="stroke-width">0.3</se:SvgParameter></se:Stroke>
          </se:PolygonSymbolizer>
        </se:Rule>
        <se:Rule>
          <se:Name>CS2.1.1.3</se:Name>
          <se:Description><se:Title>CS2.1.1.3 - Peuplement mixte</se:Title></se:Description>
          <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS2.1.1.3</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
          <se:PolygonSymbolizer>
            <se:Fill><se:SvgParameter name="fill">#80be00</se:SvgParameter></se:Fill>
            <se:Stroke><se:SvgParameter name="stroke">#232323</se:SvgParameter><se:SvgParameter name="stroke-opacity">0.3</se:SvgParameter><se:SvgParameter name="stroke-width">0.3</se:SvgParameter></se:Stroke>
          </se:PolygonSymbolizer>
        </se:Rule>
        <se:Rule>
          <se:Name>CS2.1.2</se:Name>
          <se:Description><se:Title>CS2.1.2 - Formations arbustives et sous-arbrisseaux</se:Title></se:Description>
          <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS2.1.2</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
          <se:PolygonSymbolizer>
            <se:Fill><se:SvgParameter name="fill">#a6ff80</se:SvgParameter></se:Fill>
            <se:Stroke><se:SvgParameter name="stroke">#232323</se:SvgParameter><se:SvgParameter name="stroke-opacity">0.3</se:SvgParameter><se:SvgParameter name="stroke-width">0.3</se:SvgParameter></se:Stroke>
          </se:PolygonSymbolizer>
        </se:Rule>
        <se:Rule>
          <se:Name>CS2.1.3</se:Name>
          <se:Description><se:Title>CS2.1.3 - Autres formations ligneuses</se:Title></se:Description>
          <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS2.1.3</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
          <se:PolygonSymbolizer>
            <se:Fill><se:SvgParameter name="fill">#e6804d</se:SvgParameter></se:Fill>
            <se:Stroke><se:SvgParameter name="stroke">#232323</se:SvgParameter><se:SvgParameter name="stroke-opacity">0.3</se:SvgParameter><se:SvgParameter name="stroke-width">0.3</se:SvgParameter></se:Stroke>
          </se:PolygonSymbolizer>
        </se:Rule>
        <se:Rule>
          <se:Name>CS2.2.1</se:Name>
          <se:Description><se:Title>CS2.2.1 - Formations herbacées</se:Title></se:Description>
          <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS2.2.1</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
          <se:PolygonSymbolizer>
            <se:Fill><se:SvgParameter name="fill">#ccf24d</se:SvgParameter></se:Fill>
            <se:Stroke><se:SvgParameter name="stroke">#232323</se:SvgParameter><se:SvgParameter name="stroke-opacity">0.3</se:SvgParameter><se:SvgParameter name="stroke-width">0.3</se:SvgParameter></se:Stroke>
          </se:PolygonSymbolizer>
        </se:Rule>
        <se:Rule>
          <se:Name>CS2.2.2</se:Name>
          <se:Description><se:Title>CS2.2.2 - Autres formations non ligneuses</se:Title></se:Description>
          <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS2.2.2</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
          <se:PolygonSymbolizer>
            <se:Fill><se:SvgParameter name="fill">#ccffcc</se:SvgParameter></se:Fill>
            <se:Stroke><se:SvgParameter name="stroke">#232323</se:SvgParameter><se:SvgParameter name="stroke-opacity">0.3</se:SvgParameter><se:SvgParameter name="stroke-width">0.3</se:SvgParameter></se:Stroke>
          </se:PolygonSymbolizer>
        </se:Rule>
        <se:Rule>
          <se:Name>autre</se:Name>
          <se:Description><se:Title>Autre</se:Title></se:Description>
          <se:ElseFilter/>
          <se:PolygonSymbolizer>
            <se:Fill><se:SvgParameter name="fill">#9e9e9e</se:SvgParameter></se:Fill>
          </se:PolygonSymbolizer>
        </se:Rule>
      </se:FeatureTypeStyle>
    </UserStyle>
  </NamedLayer>
</StyledLayerDescriptor>
